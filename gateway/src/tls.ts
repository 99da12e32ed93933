/**
 * TLS for the gateway's listeners (docs/security.md, "TLS"). The config names PEM files
 * (`tls`, `mqtt.tls`, `http.tls`; checked readable at load, config/load.ts); they are read here
 * when the listeners start. MQTT over TLS is its own listener (`mqtt.tlsPort`, default 8883)
 * beside the plain one; HTTPS replaces plain HTTP on `http.port`, and so `/live` and `/mqtt`
 * become WSS. With `requestCert` (MQTT only) clients must present a certificate signed by `caFile`.
 */
import { listen } from "./listen";
import { readFileSync } from "node:fs";
import { createServer, type Server, type TLSSocket, type TlsOptions } from "node:tls";
import { CityTwinError } from "@citytwin/model";
import type { GatewayConfig } from "./config/load";

export type TlsFiles = NonNullable<GatewayConfig["tls"]>;

/** Server options from the files (read now; a file removed since the config load fails here). */
export function serverTlsOptions(files: TlsFiles): TlsOptions {
  const read = (path: string) => {
    try {
      return readFileSync(path);
    } catch (cause) {
      throw new CityTwinError("CONFIG_READ", `cannot read TLS file ${path}`, { cause });
    }
  };
  return {
    cert: read(files.certFile),
    key: read(files.keyFile),
    ...(files.caFile === undefined ? {} : { ca: read(files.caFile) }),
    requestCert: files.requestCert,
    rejectUnauthorized: files.requestCert,
    minVersion: "TLSv1.2",
  };
}

/** A TLS listener that hands each handshaken socket on (the broker's TCP path). */
export class TlsListener {
  private server: Server | undefined;

  constructor(
    private readonly options: TlsOptions,
    private readonly onSocket: (socket: TLSSocket) => void,
  ) {}

  async start(host: string, port: number, what: string): Promise<number> {
    const server = createServer(this.options, (socket) => {
      socket.setNoDelay(true);
      socket.on("error", () => socket.destroy());
      this.onSocket(socket);
    });
    // A failed handshake (plain TCP, untrusted client certificate) only closes that socket.
    server.on("tlsClientError", (_err, socket) => socket.destroy());
    this.server = server;
    return listen(server, host, port, what);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await new Promise<void>((r) => server.close(() => r()));
  }
}
