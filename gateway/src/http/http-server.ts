/**
 * One node:http server for the API, static files and two WebSocket endpoints: `/mqtt`
 * (MQTT over WebSocket, handed to the broker) and `/live` (live push). Other upgrade paths are
 * refused with 404. With TLS options it is node:https instead (so WSS for both sockets).
 */
import { listen } from "../listen";
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { TlsOptions } from "node:tls";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { Api } from "./api";
import { redactUrl } from "../logging";
import { sendError } from "./respond";

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export class HttpServer {
  private server: Server | HttpsServer | undefined;

  constructor(
    private readonly api: Api,
    private readonly upgrades: Readonly<Record<string, UpgradeHandler>>,
    private readonly logger: Logger,
    /** HTTPS when set (../tls.ts). */
    private readonly tls?: TlsOptions,
  ) {}

  get secure(): boolean {
    return this.tls !== undefined;
  }

  async start(host: string, port: number): Promise<number> {
    const listener: RequestListener = (req, res) => {
      this.api.handle(req, res).catch((err: unknown) => {
        this.logger.error({ err, url: redactUrl(req.url) }, "http handler failed");
        if (!res.headersSent) sendError(res, 500, "INTERNAL", "internal error");
        else res.destroy();
      });
    };
    const server = this.tls === undefined ? createServer(listener) : createHttpsServer(this.tls, listener);
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const handler = this.upgrades[path];
      if (handler === undefined) {
        socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      socket.on("error", () => socket.destroy());
      handler(req, socket, head);
    });
    server.on("clientError", (_err, socket) => socket.destroy());
    this.server = server;
    return listen(server, host, port, "HTTP");
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await closed;
  }
}
