/** Binding a listener (TCP, TLS or HTTP server): one error shape for every port the gateway opens. */
import type { AddressInfo, Server } from "node:net";
import { CityTwinError } from "@citytwin/model";

/** Listens on host:port (0: a free port); resolves with the bound port, rejects with LISTEN_FAILED naming `what`. */
export function listen(server: Server, host: string, port: number, what: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once("error", (cause) =>
      reject(new CityTwinError("LISTEN_FAILED", `${what} cannot listen on ${host}:${port}`, { cause })),
    );
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}
