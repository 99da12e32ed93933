/** Versions of the external servers the benches run, for their reports. */
import { execFileSync } from "node:child_process";
import { INFLUXD_BIN } from "../../../test/support/influxd";

/** "influxd 1.6.7" from `influxd version`; "influxd ?" when it cannot be run. */
export function influxdVersion(): string {
  try {
    return `influxd ${/v?(\d+\.\d+\.\d+)/.exec(execFileSync(INFLUXD_BIN, ["version"], { encoding: "utf8" }))?.[1] ?? "?"}`;
  } catch {
    return "influxd ?";
  }
}
