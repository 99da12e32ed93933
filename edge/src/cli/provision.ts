/**
 * `citytwin-edge provision`: exchanges a one-time provisioning key for this gateway's MQTT
 * credential (docs/security.md, "Gateway credentials and provisioning"). The key is read from
 * an environment variable, never from the command line (which `ps` shows); the issued secret
 * is written to an env file (0600, atomic replace, other lines kept) as `CT_MQTT_PASSWORD=…`
 * for the systemd unit's `EnvironmentFile=` and the config's `mqtt.passwordEnv`, and is never
 * printed.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

export const provisionUsage = `Usage: citytwin-edge provision --gateway-url <https://platform:8443/> --gateway-id <id>
         --out /etc/citytwin/edge.env [--key-env CT_PROVISION_KEY] [--env-var CT_MQTT_PASSWORD]

Exchanges the one-time provisioning key in $CT_PROVISION_KEY (or --key-env) for this gateway's
MQTT secret (POST /api/provision) and writes it to --out as CT_MQTT_PASSWORD=… (mode 0600;
other lines of the file are kept). The secret is never printed. Use https:// off the local
host; a private CA goes in NODE_EXTRA_CA_CERTS. Exit 0 ok, 1 refused by the platform, 2 usage.
`;

export interface ProvisionOptions {
  gatewayUrl: string;
  gatewayId: string;
  out: string;
  keyEnv: string;
  envVar: string;
}

type Io = { out: (s: string) => void; err: (s: string) => void };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces (or appends) `name=value` in an env file's text. */
export function setEnvLine(text: string, name: string, value: string): string {
  const lines = text.split("\n").filter((l, i, all) => !(i === all.length - 1 && l === ""));
  const line = `${name}=${value}`;
  const at = lines.findIndex((l) => l.startsWith(`${name}=`));
  if (at >= 0) lines[at] = line;
  else lines.push(line);
  return `${lines.join("\n")}\n`;
}

function writeSecretFile(file: string, text: string): void {
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export async function runProvision(
  o: ProvisionOptions,
  io: Io,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  if (!ENV_NAME.test(o.envVar))
    return (io.err(`--env-var ${o.envVar}: not an environment variable name\n`), 2);
  const key = env[o.keyEnv];
  if (key === undefined || key === "")
    return (io.err(`environment variable ${o.keyEnv} (the provisioning key) is not set\n`), 2);
  let url: URL;
  try {
    url = new URL("api/provision", o.gatewayUrl.endsWith("/") ? o.gatewayUrl : `${o.gatewayUrl}/`);
  } catch {
    return (io.err(`--gateway-url ${o.gatewayUrl}: not a URL\n`), 2);
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(url.hostname);
  if (url.protocol !== "https:" && !loopback)
    io.err(`warning: ${url.origin} is not https; the key and the issued secret cross the network in clear\n`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key, gatewayId: o.gatewayId }),
    });
  } catch (err) {
    io.err(`cannot reach ${url.origin}: ${(err as Error).message}\n`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as {
    password?: string;
    username?: string;
    error?: { code?: string; message?: string };
  };
  if (res.status !== 200 || typeof body.password !== "string") {
    const why = body.error === undefined ? "" : ` ${body.error.code ?? ""}: ${body.error.message ?? ""}`;
    io.err(`provisioning refused: HTTP ${res.status}${why}\n`);
    return 1;
  }
  const before = existsSync(o.out) ? readFileSync(o.out, "utf8") : "";
  writeSecretFile(o.out, setEnvLine(before, o.envVar, body.password));
  io.out(
    `provisioned gateway ${o.gatewayId} (MQTT username ${body.username ?? o.gatewayId}); ` +
      `wrote ${o.envVar} to ${o.out} (mode 0600)\n`,
  );
  return 0;
}
