/** The machine a load run ran on, for the report. */
import { cpus, totalmem } from "node:os";
import { mosquittoVersion } from "../../bench/broker/brokers";
import { influxdVersion } from "../../bench/common/versions";

export interface Machine {
  cpu: string;
  cores: number;
  memGiB: number;
  node: string;
  mosquitto: string;
  influxd: string;
  platform: string;
}

export function machineInfo(): Machine {
  return {
    cpu: cpus()[0]?.model ?? "?",
    cores: cpus().length,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    mosquitto: mosquittoVersion(),
    influxd: influxdVersion(),
    platform: `${process.platform} ${process.arch}`,
  };
}
