/**
 * Mutual TLS identity: on the MQTT TLS listener with `requestCert` (../tls.ts) every client has
 * presented a certificate signed by the configured CA. A gateway's certificate must name it:
 * subject CN = the MQTT username (= gateway id), so a certificate issued to one gateway cannot
 * log in as another even with that gateway's password (docs/security.md, "TLS").
 */
import type { TLSSocket } from "node:tls";

/** The CN of a verified client certificate; undefined on plain TCP or WebSocket, or without one. */
export function clientCertCn(conn: unknown): string | undefined {
  const socket = conn as Partial<TLSSocket> | undefined;
  if (typeof socket?.getPeerCertificate !== "function" || socket.authorized !== true) return undefined;
  const cn: unknown = socket.getPeerCertificate().subject?.CN;
  if (typeof cn === "string") return cn;
  return Array.isArray(cn) && typeof cn[0] === "string" ? cn[0] : undefined;
}
