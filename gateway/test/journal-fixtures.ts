/** Batches for the ingest-journal tests: 8 readings each, distinct timestamps per seq. */
import type { MqttClient } from "mqtt";
import { querySeries } from "../../test/support/influxd";
import { GAS_DEV, GW, batch } from "./fixtures";

export const READINGS_PER_BATCH = 8;
export const TOPIC = `ct/v1/hefei/${GW}/telemetry`;

export function journalBatch(seq: number, t0: number): string {
  const entries = [0, 1, 2, 3].map((k) => ({
    ts: t0 + seq * 10 + k,
    clock: "edge",
    values: { ch4: seq + k / 10, gas_pressure: 200 + k },
  }));
  return JSON.stringify(batch(seq, { [GAS_DEV]: entries }));
}

/** Publishes at QoS 1 and resolves true on PUBACK, false if the connection failed first. */
export function publishQos1(client: MqttClient, payload: string): Promise<boolean> {
  return client.publishAsync(TOPIC, payload, { qos: 1 }).then(
    () => true,
    () => false,
  );
}

/** Points in the `gas` measurement (each reading is one point with a `value` field). */
export async function countGas(url: string, db: string): Promise<number> {
  const s = await querySeries(url, db, "SELECT COUNT(value) FROM gas");
  return Number(s[0]?.values[0]?.[1] ?? 0);
}
