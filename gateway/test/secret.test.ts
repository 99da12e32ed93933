import { describe, expect, it } from "vitest";
import { hashSecret, parseSecretHash, verifySecret } from "../src/config/secret";

describe("gateway secret hashing", () => {
  it("hashes in the documented format and verifies only the right secret", async () => {
    const hash = await hashSecret("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(parseSecretHash(hash)?.hash.length).toBe(32);
    expect(await verifySecret("correct horse battery staple", hash)).toBe(true);
    expect(await verifySecret("correct horse battery stapler", hash)).toBe(false);
    expect(await verifySecret("", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashSecret("x", { N: 1024 }), hashSecret("x", { N: 1024 })]);
    expect(a).not.toBe(b);
    expect(await verifySecret("x", a)).toBe(true);
    expect(await verifySecret("x", b)).toBe(true);
  });

  it("rejects malformed hashes instead of throwing", async () => {
    expect(await verifySecret("x", "scrypt$1000$8$1$AAAA$AAAA")).toBe(false); // N not a power of two
    expect(await verifySecret("x", "plain")).toBe(false);
  });
});
