/**
 * Fault tests on RTU buses (socat pty pairs, pymodbus RTU servers): a dead unit (id 3, never
 * answers) must not reduce the poll rate of the live units 1 and 2 on the same bus. Every
 * faulty run on bus 1 is compared with a baseline run on bus 0 in the same window, so machine
 * load hits both alike; only ratios are asserted, never absolute speed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModbus, PollRunner } from "../src/drivers";
import { clock, logger, RtuRig, sleep } from "./fixtures/modbus-rtu-bus";

let rig: RtuRig;

beforeAll(async () => {
  rig = await RtuRig.start(2, false);
});

afterAll(async () => {
  await rig.stop();
});

/** The same device on bus 1 instead of bus 0. */
const onBus1 = (d: ReturnType<RtuRig["dev"]>) => ({ ...d, serial: { ...d.serial!, path: rig.lines[1]! } });

describe("Modbus RTU fault: a dead unit on a shared bus", () => {
  it("a dead unit on the shared bus does not reduce the live units' poll rate", async () => {
    const windowMs = 3000;
    const run = async (withDead: boolean) => {
      let devices = [
        rig.dev(1, 1, "meter", { pollIntervalMs: 100 }),
        rig.dev(2, 2, "valve", { pollIntervalMs: 100 }),
      ];
      if (withDead) devices.push(rig.dev(4, 3, "meter", { timeoutMs: 50, backoffMs: 1000 }));
      if (withDead) devices = devices.map(onBus1);
      const set = buildModbus(devices, rig.ctx());
      const health: string[] = [];
      const runner = new PollRunner(
        set.drivers,
        { readings: () => undefined, health: (id, h) => health.push(`${id.slice(11, 16)}:${h}`) },
        logger,
        clock,
      );
      runner.start();
      await sleep(windowMs);
      await runner.stop();
      await set.stop();
      return { stats: runner.stats(), counters: { ...set.ports[0]!.counters }, health };
    };
    const [base, faulty] = await Promise.all([run(false), run(true)]);
    for (const id of ["340111-GVC-00001-D01", "340111-GVC-00002-D01"]) {
      const before = base.stats[id]!.polls;
      const after = faulty.stats[id]!.polls;
      expect(before).toBeGreaterThan(15);
      expect(after / before).toBeGreaterThanOrEqual(0.9);
      expect(faulty.stats[id]!.failures).toBe(0);
    }
    expect(faulty.health).toEqual(expect.arrayContaining(["00001:ok", "00002:ok", "00004:down"]));
    expect(faulty.health.filter((h) => !h.startsWith("00004"))).toHaveLength(2);
    // Backoff 1000 ms doubling (±20% jitter): attempts at ~0, ~1 s, ~3 s at most in 3 s.
    expect(faulty.counters.timeouts).toBeGreaterThanOrEqual(1);
    expect(faulty.counters.timeouts).toBeLessThanOrEqual(3);
    expect(faulty.stats["340111-GVC-00004-D01"]!.health).toBe("down");
  });

  // The port's own per-unit backoff, without the poll runner's: a dead unit read in a tight
  // loop. With backoff the live unit keeps its rate; with backoff 0 (control) it does not.
  it("per-unit backoff keeps a tight-looping dead unit from stalling the bus", async () => {
    const windowMs = 3000;
    const run = async (dead: "none" | "backoff" | "no-backoff") => {
      let devices = [rig.dev(1, 1, "meter")];
      if (dead !== "none") {
        devices.push(rig.dev(4, 3, "meter", { timeoutMs: 50, backoffMs: dead === "backoff" ? 1000 : 0 }));
        devices = devices.map(onBus1);
      }
      const set = buildModbus(devices, rig.ctx());
      const end = Date.now() + windowMs;
      const loop = async (i: number) => {
        let n = 0;
        while (Date.now() < end) {
          await set.drivers[i]!.read();
          n++;
          await sleep(5);
        }
        return n;
      };
      const [live] = await Promise.all([loop(0), ...(dead === "none" ? [] : [loop(1)])]);
      await set.stop();
      return { live: live ?? 0, timeouts: set.ports[0]!.counters.timeouts };
    };
    const [base, guarded] = await Promise.all([run("none"), run("backoff")]);
    const [base2, control] = await Promise.all([run("none"), run("no-backoff")]);
    expect(base.live).toBeGreaterThan(20);
    expect(guarded.live / base.live).toBeGreaterThanOrEqual(0.85);
    expect(guarded.timeouts).toBeLessThanOrEqual(3);
    expect(control.live / base2.live).toBeLessThan(0.5);
    expect(control.timeouts).toBeGreaterThan(5);
  });
});
