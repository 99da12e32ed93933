/**
 * The edge config for the load bench: `devices` Modbus TCP devices spread over `ports`
 * farm ports (unit ids 1..n per port), each with one profile of `tags` UINT16 holding
 * registers (coalesced by the planner into one read per device and poll), polled every
 * `pollMs`, publishing to the peer broker without credentials.
 */
export interface BenchEdgeOptions {
  devices: number;
  tags: number;
  ports: number;
  firstPort: number;
  pollMs: number;
  mqttUrl: string;
  stateDir: string;
}

export function benchEdgeConfig(o: BenchEdgeOptions): Record<string, unknown> {
  const perPort = Math.ceil(o.devices / o.ports);
  const devices = Array.from({ length: o.devices }, (_, i) => ({
    id: `340111-GVC-${String(i + 1).padStart(5, "0")}-D01`,
    driver: "modbus",
    transport: "tcp",
    profile: "bench-tags",
    host: "127.0.0.1",
    port: o.firstPort + Math.floor(i / perPort),
    unitId: (i % perPort) + 1,
    pollIntervalMs: o.pollMs,
    timeoutMs: 1000,
  }));
  return {
    version: 1,
    gateway: { tenant: "bench", id: "gw-bench" },
    mqtt: { url: o.mqttUrl, keepaliveS: 30 },
    publish: { maxBatchReadings: 5000, maxDelayMs: 200 },
    stateDir: o.stateDir,
    profiles: [
      {
        id: "bench-tags",
        driver: "modbus",
        points: Array.from({ length: o.tags }, (_, k) => ({
          key: `t${k}`,
          address: k,
          type: "UINT16",
        })),
      },
    ],
    devices,
  };
}
