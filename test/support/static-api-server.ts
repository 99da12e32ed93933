/**
 * A stand-in for the gateway's viewer-facing surface, for viewer tests and development:
 * serves a static folder (the built viewer) at `/`, `GET /api/city` (the model given),
 * `GET /api/latest` (settable), `GET /api/sensors/{id}/history` and a `/live` WebSocket whose
 * frames the caller sends. With `token`, like a secure-mode gateway: `/api/*` needs
 * `Authorization: Bearer <token>` and `/live` `?token=<token>` (401 otherwise; `forbiddenToken`
 * gets 403); `/healthz` and the static files stay open.
 * Binds 127.0.0.1 on a free port. Lifecycle: `startStaticApiServer()` listens, `close()` stops.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { WebSocketServer, type WebSocket } from "ws";
import type { CityModel, HistoryResponse, LatestReading, LiveMessage } from "@citytwin/model";

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".wasm": "application/wasm",
  ".glsl": "text/plain",
};

export interface StaticApiServerOptions {
  /** Folder served at `/` (e.g. twin-viewer/dist). */
  staticDir: string;
  city: CityModel;
  latest?: LatestReading[];
  /** GET /api/sensors/{id}/history; default no points. */
  history?: (sensorId: string) => HistoryResponse;
  /** Sent to each `/live` client on connect; default a `hello` frame. */
  hello?: LiveMessage;
  /** Require this bearer token on `/api/*` and `?token=` on `/live`. */
  token?: string;
  /** A token that is recognised but lacks the role (403). */
  forbiddenToken?: string;
  /** What `/healthz` reports; default "secure". */
  mode?: "secure" | "demo";
}

export interface StaticApiServer {
  url: string;
  port: number;
  setLatest(readings: LatestReading[]): void;
  /** Sends one frame to every connected `/live` client; returns how many received it. */
  broadcast(msg: LiveMessage): number;
  liveClients(): number;
  /** Resolves once at least `n` `/live` clients are connected. */
  waitForLiveClients(n?: number, timeoutMs?: number): Promise<void>;
  /** Drops every `/live` connection (the viewer should reconnect). */
  dropLiveClients(): void;
  close(): Promise<void>;
}

export async function startStaticApiServer(options: StaticApiServerOptions): Promise<StaticApiServer> {
  const root = resolve(options.staticDir);
  const cityJson = JSON.stringify(options.city);
  let latestJson = JSON.stringify({ readings: options.latest ?? [] });
  const clients = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });

  const sendJson = (res: ServerResponse, body: string) => {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(body);
  };
  const serveFile = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const rel = normalize(decodeURIComponent(pathname === "/" ? "/index.html" : pathname));
    const file = join(root, rel);
    const st = file.startsWith(root + sep) ? await stat(file).catch(() => undefined) : undefined;
    if (st === undefined || !st.isFile()) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": MIME[extname(file)] ?? "application/octet-stream",
      "content-length": st.size,
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  };

  /** 0 when the request may pass, else the status a secure gateway answers. */
  const denied = (req: IncomingMessage, url: URL): number => {
    if (options.token === undefined) return 0;
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    const given = m?.[1] ?? url.searchParams.get("token") ?? undefined;
    if (given === options.token) return 0;
    return given !== undefined && given === options.forbiddenToken ? 403 : 401;
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const pathname = url.pathname;
    if (pathname === "/healthz")
      return sendJson(res, JSON.stringify({ ok: true, mode: options.mode ?? "secure" }));
    const status = pathname.startsWith("/api/") ? denied(req, url) : 0;
    if (status !== 0) {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { code: status === 401 ? "UNAUTHENTICATED" : "FORBIDDEN", message: "" } }),
      );
      return;
    }
    if (pathname === "/api/city") return sendJson(res, cityJson);
    if (pathname === "/api/latest") return sendJson(res, latestJson);
    const history = /^\/api\/sensors\/([^/]+)\/history$/.exec(pathname);
    if (history !== null) {
      const sensorId = decodeURIComponent(history[1] ?? "");
      return sendJson(
        res,
        JSON.stringify(options.history?.(sensorId) ?? { sensorId, source: "hot", points: [] }),
      );
    }
    serveFile(req, res, pathname).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/live") return socket.destroy();
    const status = denied(req, url);
    if (status !== 0) {
      socket.end(`HTTP/1.1 ${status} Refused\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on("close", () => clients.delete(ws));
      const hello: LiveMessage = options.hello ?? {
        type: "hello",
        v: 1,
        serverTime: Date.now(),
        sensors: options.city.sensors.length,
      };
      ws.send(JSON.stringify(hello));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    setLatest(readings) {
      latestJson = JSON.stringify({ readings });
    },
    broadcast(msg) {
      const text = JSON.stringify(msg);
      for (const ws of clients) ws.send(text);
      return clients.size;
    },
    liveClients: () => clients.size,
    async waitForLiveClients(n = 1, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (clients.size < n) {
        if (Date.now() > deadline) throw new Error(`no ${n} /live client(s) within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    dropLiveClients() {
      for (const ws of clients) ws.terminate();
    },
    async close() {
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
