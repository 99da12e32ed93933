/** listen(): the bound port, and a clear LISTEN_FAILED naming the listener when the port is taken. */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { listen } from "../src/listen";

describe("listen", () => {
  it("resolves with the bound port and names the listener when the port is taken", async () => {
    const first = createServer();
    const port = await listen(first, "127.0.0.1", 0, "MQTT");
    expect(port).toBeGreaterThan(0);
    const second = createServer();
    await expect(listen(second, "127.0.0.1", port, "MQTT over TLS")).rejects.toMatchObject({
      code: "LISTEN_FAILED",
      message: expect.stringContaining(`MQTT over TLS cannot listen on 127.0.0.1:${port}`) as string,
    });
    await new Promise<void>((r) => first.close(() => r()));
  });
});
