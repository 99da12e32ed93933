/**
 * Helpers of the security suite: a bare MQTT CONNECT from a chosen loopback source address
 * (Linux routes all of 127.0.0.0/8 to lo, so 127.0.0.x are distinct client IPs for the
 * gateway's per-IP limits), HTTP from a chosen source address, and the attack table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { generate, parser, type IConnectPacket, type Packet } from "mqtt-packet";

/** CONNACK return code, or "closed" when the socket closed without one. */
export type ConnectOutcome = number | "closed";

export interface RawConnect {
  port: number;
  localAddress?: string;
  clientId?: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

/** Sends one CONNECT and reports the CONNACK return code; the socket is closed afterwards. */
export function mqttConnect(o: RawConnect): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const socket = tcpConnect({
      host: "127.0.0.1",
      port: o.port,
      localAddress: o.localAddress ?? "127.0.0.1",
    });
    let done = false;
    const finish = (v: ConnectOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish("closed"), o.timeoutMs ?? 10_000);
    const p = parser({ protocolVersion: 4 });
    p.on("packet", (packet: Packet) => {
      if (packet.cmd === "connack") finish(packet.returnCode ?? -1);
    });
    socket.on("data", (chunk) => p.parse(chunk));
    socket.on("error", () => finish("closed"));
    socket.on("close", () => finish("closed"));
    socket.on("connect", () => {
      const connect: IConnectPacket = {
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clean: true,
        keepalive: 30,
        clientId: o.clientId ?? `sec-${Math.random().toString(36).slice(2, 10)}`,
        ...(o.username === undefined ? {} : { username: o.username }),
        ...(o.password === undefined ? {} : { password: Buffer.from(o.password) }),
      };
      socket.write(generate(connect));
    });
  });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** An HTTP request with a JSON body from a chosen source address. */
export function http(
  base: string,
  method: string,
  path: string,
  o: { token?: string; body?: unknown; localAddress?: string } = {},
): Promise<HttpResult> {
  const url = new URL(path, base);
  const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        localAddress: o.localAddress ?? "127.0.0.1",
        headers: {
          ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }),
          ...(payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": payload.length }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export const errorCode = (r: HttpResult): string | undefined =>
  (r.body as { error?: { code?: string } } | undefined)?.error?.code;

export interface AttackRow {
  attack: string;
  tried: number;
  refused: number;
  /** How a refusal looked (CONNACK codes, HTTP statuses). */
  how: string;
  /** The positive control that shows the same path works for the legitimate party. */
  control: string;
  controlOk: boolean;
}

/** Prints the table and writes test-output/security-report.{md,json}. */
export function writeReport(rows: readonly AttackRow[], dir = "test-output"): string {
  const header = "| Attack | Tried | Refused | How refused | Positive control |";
  const sep = "| --- | ---: | ---: | --- | --- |";
  const lines = rows.map(
    (r) =>
      `| ${r.attack} | ${r.tried} | ${r.refused} | ${r.how} | ${r.control}: ${r.controlOk ? "ok" : "FAILED"} |`,
  );
  const md = [header, sep, ...lines].join("\n");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "security-report.md"), `# Security test suite\n\n${md}\n`);
  writeFileSync(
    join(dir, "security-report.json"),
    `${JSON.stringify({ generatedAt: new Date().toISOString(), rows }, null, 2)}\n`,
  );
  return md;
}
