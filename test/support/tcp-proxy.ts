/**
 * A TCP proxy for network-fault tests: 127.0.0.1:port → targetHost:targetPort, on a free port.
 * Modes, switchable at any time:
 *   forward    new connections are forwarded; FIN and close propagate between the two sides.
 *   blackhole  a half-open cut (cable pulled between switches, a 4G modem losing its bearer):
 *              every socket stays open and every byte is read and silently discarded, in both
 *              directions; FIN and RST are not passed on either. New connections are accepted
 *              (the local TCP handshake completes) but never forwarded.
 *   reset      every open connection is reset (RST) on both sides; new ones are reset at once.
 * Back to `forward`: new connections forward again. Links that were blackholed stay dead, as in
 * reality (the peer's state is gone or its address changed); only `close()` or `reset` ends them.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { freePort } from "./free-port";

export type ProxyMode = "forward" | "blackhole" | "reset";

export interface TcpProxy {
  readonly port: number;
  readonly mode: ProxyMode;
  set(mode: ProxyMode): void;
  /** Connections accepted and forwarded (in `forward`). */
  forwarded(): number;
  /** Connections accepted in `blackhole` (never forwarded). */
  blackholed(): number;
  /** Connection attempts reset in `reset`. */
  refused(): number;
  /** Client-side sockets currently open (forwarding or dead). */
  open(): number;
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket | undefined;
  /** Blackholed: nothing is passed on any more, ever. */
  dead: boolean;
}

export async function startTcpProxy(
  targetPort: number,
  opts: { targetHost?: string; listenPort?: number } = {},
): Promise<TcpProxy> {
  const targetHost = opts.targetHost ?? "127.0.0.1";
  const links = new Set<Link>();
  let mode: ProxyMode = "forward";
  const counts = { forwarded: 0, blackholed: 0, refused: 0 };

  const reset = (s: Socket | undefined) => {
    if (s !== undefined && !s.destroyed) s.resetAndDestroy();
  };
  const end = (link: Link) => {
    links.delete(link);
    link.client.destroy();
    link.upstream?.destroy();
  };
  /** One direction: bytes, FIN and close are passed on only while the link is alive. */
  const wire = (link: Link, from: Socket, to: () => Socket | undefined) => {
    from.on("error", () => undefined);
    from.on("data", (chunk: Buffer) => {
      if (!link.dead) to()?.write(chunk);
    });
    from.on("end", () => {
      if (!link.dead) to()?.end();
    });
    from.on("close", () => {
      if (!link.dead) end(link);
      else if (link.client.destroyed && (link.upstream?.destroyed ?? true)) links.delete(link);
    });
  };

  // allowHalfOpen: a received FIN is not answered automatically (a blackholed link answers nothing).
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    client.on("error", () => undefined);
    if (mode === "reset") {
      counts.refused++;
      client.resetAndDestroy();
      return;
    }
    const link: Link = { client, upstream: undefined, dead: mode === "blackhole" };
    links.add(link);
    if (link.dead) {
      counts.blackholed++;
      client.on("data", () => undefined); // read and discard
      client.on("close", () => links.delete(link));
      return;
    }
    counts.forwarded++;
    const upstream = createConnection({ host: targetHost, port: targetPort, allowHalfOpen: true });
    link.upstream = upstream;
    wire(link, client, () => link.upstream);
    wire(link, upstream, () => link.client);
  });
  const port = opts.listenPort ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });

  return {
    port,
    get mode() {
      return mode;
    },
    set(next) {
      mode = next;
      if (next === "blackhole") for (const link of links) link.dead = true;
      if (next === "reset") {
        for (const link of [...links]) {
          link.dead = true;
          links.delete(link);
          reset(link.client);
          reset(link.upstream);
        }
      }
    },
    forwarded: () => counts.forwarded,
    blackholed: () => counts.blackholed,
    refused: () => counts.refused,
    open: () => links.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const link of [...links]) end(link);
        server.close(() => resolve());
      }),
  };
}
