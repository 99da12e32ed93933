/**
 * `mountTimeline(ctx)`: the replay bar in #timeline, the 1 Hz staleness sweep of the sensor layer
 * (judged against the shown instant: now on the server clock, or the replay instant), and the
 * `timeline` probe: `mode()`, `at()` (the replay instant, undefined when live), `lastSnapshot()`.
 */
import type { AppContext } from "../core/app-context";
import { registerProbe } from "../test-hooks";
import { byId } from "../ui/dom";
import { ReplayController } from "./replay-controller";
import { TimelineView } from "./timeline-view";
import "./timeline.css";

const SWEEP_MS = 1000;

export function mountTimeline(ctx: AppContext): ReplayController {
  const replay = new ReplayController(ctx);
  const view = new TimelineView(byId("timeline"), replay);
  replay.onChange = () => view.update();
  view.build();
  ctx.bus.on("lang", () => view.build());
  setInterval(() => {
    ctx.sensors.sweepStale(replay.shownAt());
    view.update();
  }, SWEEP_MS);
  registerProbe("timeline", {
    mode: () => replay.time().mode,
    at: () => {
      const t = replay.time();
      return t.mode === "replay" ? t.at : undefined;
    },
    lastSnapshot: () => replay.lastSnapshot,
  });
  return replay;
}
