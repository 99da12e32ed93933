/** The gateway config's `viewer:` section: defaults, paths, and errors that name file, path and line. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CityTwinError } from "@citytwin/model";
import { loadGatewayConfig } from "../src/config/load";

const HASH = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=";
const base = `version: 1
tenant: hefei
city: city.json
gateways:
  - id: gw-01
    secretHash: "${HASH}"
`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "citytwin-viewer-cfg-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function load(viewer: string) {
  return loadGatewayConfig(`${base}viewer:\n${viewer}`, join(dir, "gateway.yaml"), {});
}

function errorOf(viewer: string): string {
  try {
    load(viewer);
  } catch (err) {
    expect((err as CityTwinError).code).toBe("CONFIG_INVALID");
    return (err as Error).message;
  }
  throw new Error("expected a config error");
}

describe("viewer config section", () => {
  it("applies the model's defaults and resolves assetsDir against the config file", () => {
    const cfg = load(`  assetsDir: .\n  basemap:\n    type: tms\n    url: /city-assets/t/{z}/{x}/{y}.png\n`);
    expect(cfg.viewer).toEqual({
      assetsDir: dir,
      basemap: { type: "tms", url: "/city-assets/t/{z}/{x}/{y}.png", maxZoom: 19 },
      drawModelBuildings: true,
      layers: [],
    });
    expect(loadGatewayConfig(base, join(dir, "g.yaml"), {}).viewer).toBeUndefined();
  });

  it("names file, path and line for a bad layer, base map, unknown key or missing assetsDir", () => {
    const layer = errorOf(`  layers:\n    - type: geojson\n      url: /a.geojson\n      role: roads\n`);
    expect(layer).toMatch(/gateway\.yaml: viewer\.layers\[0\]\.role \(line 11:\d+\): Invalid option/);
    const wmts = errorOf(`  basemap:\n    type: wmts\n    url: /wmts\n`);
    expect(wmts).toMatch(/viewer\.basemap\.layer/);
    expect(wmts).toMatch(/\(line [89]:\d+\)/);
    expect(errorOf(`  drawBuildings: false\n`)).toMatch(/viewer\.drawBuildings \(line 8:\d+\): unknown key/);
    expect(errorOf(`  assetsDir: nowhere\n`)).toMatch(
      /viewer\.assetsDir \(line 8:\d+\): .*nowhere is not a directory/,
    );
    const kind = errorOf(`  layers:\n    - type: kml\n      url: /a.kml\n`);
    expect(kind).toMatch(/viewer\.layers\[0\]\.type \(line 9:\d+\)/);
  });
});
