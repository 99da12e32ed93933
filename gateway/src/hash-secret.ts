/**
 * Prints the scrypt hash of a gateway secret read from stdin, for `gateways[].secretHash`:
 *
 *   printf '%s' "$SECRET" | tsx gateway/src/hash-secret.ts
 *
 * A single trailing newline on stdin is ignored.
 */
import { hashSecret } from "./config/secret";

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const secret = Buffer.concat(chunks)
  .toString("utf8")
  .replace(/\r?\n$/, "");
if (secret.length === 0) {
  process.stderr.write("hash-secret: empty secret on stdin\n");
  process.exit(2);
}
process.stdout.write(`${await hashSecret(secret)}\n`);
