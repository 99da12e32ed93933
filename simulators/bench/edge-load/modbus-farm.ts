/**
 * A Modbus TCP device farm for the edge load bench: `ports` servers on consecutive ports,
 * each answering every unit id 1..247 with `tags` holding registers whose values change
 * every second (so every poll carries fresh data). Runs as its own process so the agent's
 * CPU and memory are measured alone. Prints `farm ready <firstPort>` when listening.
 *
 *   npx tsx simulators/bench/edge-load/modbus-farm.ts <firstPort> <ports> <tags>
 */
import { ServerTCP } from "modbus-serial";

const [firstPort, ports, tags] = process.argv.slice(2).map(Number) as [number, number, number];

function value(unit: number, addr: number): number {
  return (Math.floor(Date.now() / 1000) * 7 + unit * 31 + addr * 13) & 0x7fff;
}

const servers: ServerTCP[] = [];
let ready = 0;
for (let i = 0; i < ports; i++) {
  const server = new ServerTCP(
    {
      getMultipleHoldingRegisters: (addr: number, length: number, unitID: number) => {
        if (addr + length > tags) throw Object.assign(new Error("illegal address"), { modbusErrorCode: 2 });
        return Array.from({ length }, (_, k) => value(unitID, addr + k));
      },
      getHoldingRegister: (addr: number, unitID: number) => value(unitID, addr),
    },
    { host: "127.0.0.1", port: firstPort + i, unitID: 255 },
  );
  server.on("initialized", () => {
    if (++ready === ports) console.log(`farm ready ${firstPort}`);
  });
  server.on("socketError", () => undefined);
  servers.push(server);
}
process.on("SIGTERM", () => {
  for (const s of servers) s.close(() => undefined);
  process.exit(0);
});
