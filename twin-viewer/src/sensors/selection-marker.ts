/**
 * Marks the selected sensor in the scene: a white outline on its point and one label above it.
 * Only the selected sensor ever has a label, so labels cost nothing at city scale.
 */
import type { Label, LabelCollection, Scene } from "cesium";
import { sensorKind } from "@citytwin/model";
import { Cesium } from "../cesium-global";
import { formatValue, unitLabel } from "../ui/format";
import { lang } from "../ui/i18n";
import type { SensorLayer } from "./sensor-layer";

const GLYPH_FRAMES = 20;

export class SelectionMarker {
  private readonly labels: LabelCollection;
  private readonly label: Label;
  private selected: string | undefined;
  private readonly normalOutline = Cesium.Color.fromCssColorString("#05080f");

  constructor(
    private readonly scene: Scene,
    private readonly layer: SensorLayer,
  ) {
    this.labels = new Cesium.LabelCollection();
    this.label = this.labels.add({
      show: false,
      position: Cesium.Cartesian3.ZERO,
      font: "600 14px system-ui, sans-serif",
      fillColor: Cesium.Color.WHITE,
      showBackground: true,
      backgroundColor: Cesium.Color.fromCssColorString("#0b1322").withAlpha(0.85),
      backgroundPadding: new Cesium.Cartesian2(8, 5),
      pixelOffset: new Cesium.Cartesian2(0, -18),
      verticalOrigin: Cesium.VerticalOrigin.BOTTOM,
      horizontalOrigin: Cesium.HorizontalOrigin.CENTER,
      disableDepthTestDistance: Number.POSITIVE_INFINITY,
    });
    scene.primitives.add(this.labels);
  }

  select(id: string | undefined): void {
    const prev = this.selected === undefined ? undefined : this.layer.point(this.selected);
    if (prev !== undefined) {
      prev.outlineColor = this.normalOutline;
      prev.outlineWidth = 1;
    }
    this.selected = id;
    this.refresh();
  }

  /** Re-reads the selected sensor's state into its label. */
  refresh(): void {
    const point = this.selected === undefined ? undefined : this.layer.point(this.selected);
    const sensor = this.selected === undefined ? undefined : this.layer.sensor(this.selected);
    if (point === undefined || sensor === undefined || this.selected === undefined) {
      this.label.show = false;
    } else {
      point.outlineColor = Cesium.Color.WHITE;
      point.outlineWidth = 2;
      const kind = sensorKind(sensor.kind);
      const state = this.layer.state(this.selected);
      const name = kind === undefined ? sensor.kind : lang() === "zh" ? kind.zh : kind.en;
      const value = state === undefined ? "—" : `${formatValue(state.value)} ${unitLabel(sensor.kind)}`;
      this.label.position = point.position;
      const text = `${name}  ${value}`;
      if (this.label.text !== text) {
        this.label.text = text;
        this.renderWhileGlyphsLoad();
      }
      this.label.show = true;
    }
    this.scene.requestRender();
  }

  /**
   * New glyphs reach the label texture atlas a few frames later, and render-on-demand mode would
   * not draw them until something else changes: keep rendering for a short burst.
   */
  private renderWhileGlyphsLoad(frames = GLYPH_FRAMES): void {
    if (frames <= 0) return;
    requestAnimationFrame(() => {
      this.scene.requestRender();
      this.renderWhileGlyphsLoad(frames - 1);
    });
  }
}
