/**
 * OPC UA client construction: security [OPC 10000-4 §5.6.2 CreateSession, OPC 10000-7 security
 * policies], application-instance PKI, user identity [OPC 10000-4 §7.36] and reconnection
 * backoff. Pure helpers; no I/O until the client connects.
 *
 * PKI: `<stateDir>/pki/opcua-client` (own/, trusted/, rejected/, issuers/). node-opcua creates
 * a self-signed application certificate there on first connect; the server must trust it (copy
 * own/certs/client_certificate.pem into the server's trusted folder) for Sign/SignAndEncrypt.
 */
import { join } from "node:path";
import type * as OpcuaModule from "node-opcua";
import type { MonitoringParametersOptions, OPCUAClientOptions, UserIdentityInfo } from "node-opcua";
import type { OpcuaDeviceConfig } from "../../config/schema";
import type { DriverContext } from "../types";

type Opcua = typeof OpcuaModule;

/** Backoff for the secure channel (re)connection: 1 s doubling, capped, forever. */
export function connectionStrategy(maxDelayMs: number): {
  maxRetry: number;
  initialDelay: number;
  maxDelay: number;
  randomisationFactor: number;
} {
  // node-opcua needs maxDelay > initialDelay (equal values break the endpoint lookup).
  return { maxRetry: -1, initialDelay: 1000, maxDelay: Math.max(maxDelayMs, 2000), randomisationFactor: 0.1 };
}

/**
 * Half-open connections (the path silently stops carrying packets, no FIN or RST: the socket
 * stays open and writes succeed locally). A subscription alone does not notice: node-opcua's
 * publish requests just time out and are re-sent. Detection is the session keep-alive
 * (keepSessionAlive): once nothing has come from the server for KEEPALIVE_INTERVAL_MS / 2 it
 * reads Server_ServerStatus_State [OPC 10000-5 §12.10]; a Read that fails (timeout after
 * TRANSACTION_TIMEOUT_MS) breaks the connection and starts the reconnection (same session
 * re-activated on a new channel [OPC 10000-4 §5.6.3]). So a dead path is noticed within
 * HALF_OPEN_DETECT_MS of the last message from the server. A reconnection attempt that lands
 * in a dead path (TCP accepted, HEL never answered) is abandoned after TRANSPORT_TIMEOUT_MS of
 * socket inactivity, then retried with backoff (connectionStrategy); a live connection is never
 * that idle, since the keep-alive writes a Read every KEEPALIVE_INTERVAL_MS / 2 of silence.
 * The node-opcua defaults (20 s / 15 s / 60 s) take ≈ 25 s to notice and up to 60 s per stuck
 * attempt. See docs/edge-opcua.md "Half-open connections".
 */
export const KEEPALIVE_INTERVAL_MS = 10_000;
/** Timeout of every request without its own timeoutHint (publish requests set theirs). */
export const TRANSACTION_TIMEOUT_MS = 10_000;
/** Socket inactivity after which the channel's socket is closed (must exceed keep-alive / 2). */
export const TRANSPORT_TIMEOUT_MS = 10_000;
export const HALF_OPEN_DETECT_MS = KEEPALIVE_INTERVAL_MS / 2 + TRANSACTION_TIMEOUT_MS;

export function maxDelayMs(device: OpcuaDeviceConfig): number {
  return device.reconnectMaxDelayMs ?? 10_000;
}

export function clientPkiDir(stateDir: string): string {
  return join(stateDir, "pki", "opcua-client");
}

export function clientOptions(ua: Opcua, device: OpcuaDeviceConfig, ctx: DriverContext): OPCUAClientOptions {
  const clientCertificateManager = new ua.OPCUACertificateManager({
    rootFolder: clientPkiDir(ctx.stateDir),
    automaticallyAcceptUnknownCertificate: device.trustUnknownServerCertificate ?? true,
    disableFileWatchers: true,
  });
  return {
    applicationName: `CityTwin edge ${ctx.gatewayId}`,
    applicationUri: `urn:citytwin:edge:${ctx.gatewayId}`,
    // Not checking the endpoint list lets us connect to servers that advertise another host name.
    endpointMustExist: false,
    keepSessionAlive: true,
    keepAliveInterval: KEEPALIVE_INTERVAL_MS,
    defaultTransactionTimeout: TRANSACTION_TIMEOUT_MS,
    transportTimeout: TRANSPORT_TIMEOUT_MS,
    // The server keeps the session this long without a request: > the detection and
    // reconnection time, so a healed path re-activates it instead of creating a new one.
    requestedSessionTimeout: 60_000,
    connectionStrategy: connectionStrategy(maxDelayMs(device)),
    securityMode: ua.MessageSecurityMode[device.securityMode],
    securityPolicy: ua.SecurityPolicy[device.securityPolicy],
    clientCertificateManager,
  };
}

/** The user identity for ActivateSession, or an error message when a secret is missing. */
export function userIdentity(
  ua: Opcua,
  device: OpcuaDeviceConfig,
  ctx: DriverContext,
): UserIdentityInfo | string {
  const auth = device.auth ?? { type: "anonymous" };
  if (auth.type === "anonymous") return { type: ua.UserTokenType.Anonymous };
  if (auth.type === "username") {
    const password = ctx.secrets.devicePasswords[device.id];
    if (password === undefined) return "no password resolved for auth type username";
    return { type: ua.UserTokenType.UserName, userName: auth.username, password };
  }
  const cert = ctx.secrets.opcuaUserCertificates?.[device.id];
  if (cert === undefined) return "no user certificate resolved for auth type certificate";
  return {
    type: ua.UserTokenType.Certificate,
    certificateData: cert.certificate,
    privateKey: cert.privateKeyPem,
  };
}

/** Sampling interval, queue size (discard oldest) and DataChangeFilter [OPC 10000-4 §7.22.2]. */
export function monitoringParameters(
  ua: Opcua,
  device: OpcuaDeviceConfig,
  point: OpcuaDeviceConfig["points"][number],
): MonitoringParametersOptions {
  const deadband = point.deadband;
  const filter =
    deadband === undefined
      ? null
      : new ua.DataChangeFilter({
          trigger: ua.DataChangeTrigger.StatusValue,
          deadbandType: deadband.type === "absolute" ? ua.DeadbandType.Absolute : ua.DeadbandType.Percent,
          deadbandValue: deadband.value,
        });
  return {
    samplingInterval: point.samplingIntervalMs ?? device.samplingIntervalMs,
    queueSize: point.queueSize ?? device.queueSize,
    discardOldest: true,
    filter,
  };
}
