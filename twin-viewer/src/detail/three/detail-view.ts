/**
 * Which three.js detail view an asset gets: bridges (BRG with a `ref` into city.bridges) and smart
 * poles (SPL). Other asset types have none.
 */
import type { Asset } from "@citytwin/model";
import type { AppContext } from "../../core/app-context";
import { BridgeView } from "./bridge-view";
import type { DetailScene } from "./detail-scene";
import { PoleView } from "./pole-view";

export interface DetailView {
  readonly kind: "bridge" | "pole";
  readonly stage: DetailScene;
  readonly sensorsShown: number;
  /** Re-reads the drawn sensor states and marks the selected sensor; renders once. */
  update(selectedId: string | undefined): void;
  dispose(): void;
}

export function createDetailView(
  ctx: AppContext,
  asset: Asset,
  container: HTMLElement,
  size: { width: number; height: number },
): DetailView | undefined {
  const sensors = ctx.index.sensorsByAsset.get(asset.id) ?? [];
  if (asset.type === "BRG") {
    const bridge = ctx.city.bridges.find((b) => b.id === asset.ref);
    return bridge === undefined ? undefined : new BridgeView(container, size, bridge, sensors, ctx.sensors);
  }
  if (asset.type === "SPL") {
    const devices = ctx.index.devicesByAsset.get(asset.id) ?? [];
    const byDevice = (deviceId: string) => sensors.filter((s) => s.deviceId === deviceId);
    return new PoleView(container, size, devices, byDevice, ctx.sensors);
  }
  return undefined;
}
