/** What byo-city.ts needs from a loaded bring-your-own-city layer (GeoJSON or 3D Tiles). */
import type { Level } from "@citytwin/model";

export interface ByoLayerView {
  readonly type: "3dtiles" | "geojson";
  readonly url: string;
  /** Features drawn (3D Tiles: in the tiles loaded so far). */
  features(): number;
  ready(): boolean;
  /** Asset ids the layer's features name (3D Tiles: of the loaded tiles). */
  assetIds(): Iterable<string>;
  /** Colours the asset's features for its worst level. */
  paint(assetId: string, level: Level): void;
  /** CSS hex of the asset's first feature as drawn, undefined when the layer has none. */
  colourOf(assetId: string): string | undefined;
  /** The asset id of a `scene.pick` result that belongs to this layer. */
  assetAt(picked: unknown): string | undefined;
  /** Calls back when newly loaded features need their colour (3D Tiles tiles streaming in). */
  onFeaturesAdded(listener: (assetIds: readonly string[]) => void): void;
}
