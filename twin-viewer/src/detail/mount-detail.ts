/**
 * Mounts the asset detail panel into `#panel`: follows focus, time mode, language and applied
 * readings through the app bus; exposes the `detail` probe at `window.__citytwin.features.detail`.
 */
import type { AppContext } from "../core/app-context";
import { registerProbe } from "../test-hooks";
import { byId } from "../ui/dom";
import { DetailPanel } from "./detail-panel";

export function mountDetail(ctx: AppContext): void {
  const panel = new DetailPanel(ctx, byId("panel"));
  ctx.bus.on("focus", (f) => panel.focus(f));
  ctx.bus.on("time", (mode) => panel.onTime(mode));
  ctx.bus.on("lang", () => panel.relabel());
  ctx.sensors.onApplied((changed) => panel.onApplied(changed));
  registerProbe("detail", panel.probe);
}
