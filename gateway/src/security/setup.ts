/**
 * Wires credentials and rate limits into the gateway (called from gateway.ts): opens the
 * credentials store, builds the broker's gateway authenticator from the config merged with the
 * store (store wins, revoked ids refused), the HTTP auth-failure budget, and the HTTP routes for
 * provisioning and revocation.
 */
import type { Logger } from "pino";
import type { AlarmManager } from "../alarms";
import type { OperatorAuthOptions, OperatorAuthenticator } from "../auth/operators";
import { GatewayAuthenticator } from "../broker/auth";
import type { GatewayConfig } from "../config/load";
import { SecurityRoutes } from "../http/security-routes";
import type { GatewayMetrics } from "../metrics";
import { CredentialStore, credentialsPath } from "./credential-store";
import { CredentialService } from "./credentials";
import { KeyedLimiter } from "./rate-limit";

export interface SecuritySetup {
  store: CredentialStore;
  gatewayAuth: GatewayAuthenticator;
  /** For the operator authenticator: the per-IP HTTP failure budget. */
  operatorOptions: OperatorAuthOptions;
  routes(deps: {
    disconnect: (gatewayId: string) => number;
    alarms: AlarmManager;
    auth: OperatorAuthenticator;
    onCredential: (gatewayId: string) => void;
  }): SecurityRoutes;
}

export async function setUpSecurity(o: {
  config: GatewayConfig;
  logger: Logger;
  metrics: GatewayMetrics;
  now: () => number;
  /** Known gateway ids; the store's are added. */
  known: Set<string>;
}): Promise<SecuritySetup> {
  const { config, logger, metrics, now } = o;
  const file = credentialsPath(config);
  if (file === undefined && config.mode === "secure")
    logger.warn(
      {},
      "no alarms.stateDir or provisioning.credentialsFile: provisioned credentials and revocations are kept in memory only",
    );
  const store = await CredentialStore.open(file);
  const hashes = store.effective(config.gateways);
  for (const id of hashes.keys()) o.known.add(id);
  const gatewayAuth = new GatewayAuthenticator(config.mode, hashes, o.known, now, store.revokedIds());
  const perMinute = config.limits.httpAuthFailuresPerMinute;
  const failures = new KeyedLimiter({ ratePerS: perMinute / 60, burst: perMinute }, Date.now);
  const operatorOptions: OperatorAuthOptions = {
    failures,
    onRateLimited: () => metrics.httpRateLimited.inc(),
  };
  return {
    store,
    gatewayAuth,
    operatorOptions,
    routes: (deps) => {
      const credentials = new CredentialService({
        store,
        configKeys: config.provisioning.keys,
        authenticator: gatewayAuth,
        disconnect: deps.disconnect,
        audit: (who, action, target, detail) => {
          deps.alarms.recordAudit(who, action, target, detail);
          logger.warn({ actor: who.name, action, target, detail }, "gateway credentials changed");
        },
        onCredential: deps.onCredential,
        failures,
        now,
      });
      return new SecurityRoutes({ credentials, auth: deps.auth });
    },
  };
}
