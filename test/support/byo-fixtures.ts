/**
 * Generated "bring your own city" fixtures for the viewer test: GeoJSON buildings (square
 * footprints extruded to `height`), a GeoJSON network line at a depth, and a tiny 3D Tiles 1.0
 * tileset (tileset.json + one b3dm: a glTF 2.0 GLB with one box mesh per feature, `_BATCHID`
 * per vertex, and a JSON batch table `{ "assetId": [...] }`). Every feature names an asset of
 * the city model. Boxes are placed by geographic centre (east/north offsets in metres) and
 * written in ECEF relative to an RTC centre, converted to glTF's y-up axes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

/** One box: centre (degrees), footprint side and height in metres, the asset it names. */
export interface FixtureBox {
  assetId: string;
  lon: number;
  lat: number;
  sizeM: number;
  heightM: number;
}

const A = 6378137;
const E2 = 6.69437999014e-3;
const M_PER_DEG_LAT = 111_320;

type Vec3 = [number, number, number];

function ecef(lon: number, lat: number, h: number): Vec3 {
  const [l, p] = [(lon * Math.PI) / 180, (lat * Math.PI) / 180];
  const n = A / Math.sqrt(1 - E2 * Math.sin(p) ** 2);
  return [
    (n + h) * Math.cos(p) * Math.cos(l),
    (n + h) * Math.cos(p) * Math.sin(l),
    (n * (1 - E2) + h) * Math.sin(p),
  ];
}

/** Degrees east/north of (lon, lat) by metres (small offsets). */
export function offset(lon: number, lat: number, eastM: number, northM: number): [number, number] {
  return [lon + eastM / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180)), lat + northM / M_PER_DEG_LAT];
}

/** The footprint ring of a box, closed, counter-clockwise. */
export function footprint(b: FixtureBox): [number, number][] {
  const s = b.sizeM / 2;
  const c = ([e, n]: [number, number]) => offset(b.lon, b.lat, e, n);
  return [c([-s, -s]), c([s, -s]), c([s, s]), c([-s, s]), c([-s, -s])];
}

export function buildingsGeoJson(boxes: readonly FixtureBox[]): unknown {
  return {
    type: "FeatureCollection",
    features: boxes.map((b) => ({
      type: "Feature",
      properties: { assetId: b.assetId, height: b.heightM, name: `building of ${b.assetId}` },
      geometry: { type: "Polygon", coordinates: [footprint(b)] },
    })),
  };
}

export function networkGeoJson(assetId: string, path: [number, number][], depthM: number): unknown {
  return {
    type: "FeatureCollection",
    features: [
      {
        type: "Feature",
        properties: { assetId, depth: depthM, network: "gas" },
        geometry: { type: "LineString", coordinates: path },
      },
    ],
  };
}

// Box faces: outward normal axis (0 east, 1 north, 2 up) and sign, corners in ENU unit cube.
const FACES: [number, number][] = [
  [0, 1],
  [0, -1],
  [1, 1],
  [1, -1],
  [2, 1],
  [2, -1],
];

function faceCorners(axis: number, sign: number): Vec3[] {
  const [u, v] = [(axis + 1) % 3, (axis + 2) % 3];
  const out: Vec3[] = [];
  for (const [a, b] of [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ] as const) {
    const p: Vec3 = [0, 0, 0];
    p[axis] = sign;
    p[u] = a * sign;
    p[v] = b;
    out.push(p);
  }
  return out;
}

/** GLB with one mesh: every box's 24 vertices (POSITION, NORMAL, _BATCHID) and 36 indices. */
function glb(boxes: readonly FixtureBox[], rtc: Vec3): Buffer {
  const pos: number[] = [];
  const nor: number[] = [];
  const ids: number[] = [];
  const idx: number[] = [];
  // ECEF (x, y, z) → glTF y-up (x, z, -y); 3D Tiles rotates y-up content back to z-up.
  const yUp = (p: Vec3): Vec3 => [p[0], p[2], -p[1]];
  boxes.forEach((b, batchId) => {
    const l = (b.lon * Math.PI) / 180;
    const p = (b.lat * Math.PI) / 180;
    const east: Vec3 = [-Math.sin(l), Math.cos(l), 0];
    const north: Vec3 = [-Math.sin(p) * Math.cos(l), -Math.sin(p) * Math.sin(l), Math.cos(p)];
    const up: Vec3 = [Math.cos(p) * Math.cos(l), Math.cos(p) * Math.sin(l), Math.sin(p)];
    const base = ecef(b.lon, b.lat, 0);
    const enu = (e: number, n: number, u: number): Vec3 => [
      east[0] * e + north[0] * n + up[0] * u,
      east[1] * e + north[1] * n + up[1] * u,
      east[2] * e + north[2] * n + up[2] * u,
    ];
    for (const [axis, sign] of FACES) {
      const first = pos.length / 3;
      const normal = enu(axis === 0 ? sign : 0, axis === 1 ? sign : 0, axis === 2 ? sign : 0);
      for (const c of faceCorners(axis, sign)) {
        const d = enu((c[0] * b.sizeM) / 2, (c[1] * b.sizeM) / 2, ((c[2] + 1) * b.heightM) / 2);
        pos.push(...yUp([base[0] + d[0] - rtc[0], base[1] + d[1] - rtc[1], base[2] + d[2] - rtc[2]]));
        nor.push(...yUp(normal));
        ids.push(batchId);
      }
      idx.push(first, first + 1, first + 2, first, first + 2, first + 3);
    }
  });
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < pos.length; i++) {
    min[i % 3] = Math.min(min[i % 3]!, pos[i]!);
    max[i % 3] = Math.max(max[i % 3]!, pos[i]!);
  }
  const bin = Buffer.concat([
    Buffer.from(new Float32Array(pos).buffer),
    Buffer.from(new Float32Array(nor).buffer),
    Buffer.from(new Float32Array(ids).buffer),
    Buffer.from(new Uint32Array(idx).buffer),
  ]);
  const n = ids.length;
  const views = [n * 12, n * 12, n * 4, idx.length * 4];
  let at = 0;
  const bufferViews = views.map((len, i) => {
    const view = { buffer: 0, byteOffset: at, byteLength: len, target: i === 3 ? 34963 : 34962 };
    at += len;
    return view;
  });
  const gltf = {
    asset: { version: "2.0", generator: "citytwin byo-fixtures" },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [
      { primitives: [{ attributes: { POSITION: 0, NORMAL: 1, _BATCHID: 2 }, indices: 3, material: 0 }] },
    ],
    materials: [
      {
        pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 0, roughnessFactor: 1 },
        doubleSided: true,
      },
    ],
    buffers: [{ byteLength: bin.length }],
    bufferViews,
    accessors: [
      { bufferView: 0, componentType: 5126, count: n, type: "VEC3", min, max },
      { bufferView: 1, componentType: 5126, count: n, type: "VEC3" },
      { bufferView: 2, componentType: 5126, count: n, type: "SCALAR" },
      { bufferView: 3, componentType: 5125, count: idx.length, type: "SCALAR" },
    ],
  };
  const json = padded(Buffer.from(JSON.stringify(gltf)), 4, 0x20);
  const body = padded(bin, 4, 0);
  const header = Buffer.alloc(12);
  header.write("glTF", 0, "ascii");
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + 8 + json.length + 8 + body.length, 8);
  return Buffer.concat([header, chunk(json, 0x4e4f534a), chunk(body, 0x004e4942)]);
}

function chunk(data: Buffer, type: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(data.length, 0);
  h.writeUInt32LE(type, 4);
  return Buffer.concat([h, data]);
}

function padded(buf: Buffer, to: number, fill: number): Buffer {
  const extra = (to - (buf.length % to)) % to;
  return extra === 0 ? buf : Buffer.concat([buf, Buffer.alloc(extra, fill)]);
}

/** b3dm 1.0: 28-byte header, feature table JSON, batch table JSON (each 8-byte aligned), GLB. */
export function b3dm(boxes: readonly FixtureBox[]): Buffer {
  const rtc = ecef(boxes[0]!.lon, boxes[0]!.lat, 0);
  const features = padded(
    Buffer.from(JSON.stringify({ BATCH_LENGTH: boxes.length, RTC_CENTER: rtc })),
    8,
    0x20,
  );
  const batch = padded(Buffer.from(JSON.stringify({ assetId: boxes.map((b) => b.assetId) })), 8, 0x20);
  const model = glb(boxes, rtc);
  const header = Buffer.alloc(28);
  header.write("b3dm", 0, "ascii");
  header.writeUInt32LE(1, 4);
  header.writeUInt32LE(28 + features.length + batch.length + model.length, 8);
  header.writeUInt32LE(features.length, 12);
  header.writeUInt32LE(0, 16);
  header.writeUInt32LE(batch.length, 20);
  header.writeUInt32LE(0, 24);
  return Buffer.concat([header, features, batch, model]);
}

/** tileset.json: one leaf root tile over the boxes (region in radians) with the b3dm content. */
export function tilesetJson(boxes: readonly FixtureBox[], contentUri: string): unknown {
  const rad = (d: number) => (d * Math.PI) / 180;
  const lons = boxes.map((b) => b.lon);
  const lats = boxes.map((b) => b.lat);
  const pad = 0.001;
  const top = Math.max(...boxes.map((b) => b.heightM));
  return {
    asset: { version: "1.0" },
    geometricError: 200,
    root: {
      boundingVolume: {
        region: [
          rad(Math.min(...lons) - pad),
          rad(Math.min(...lats) - pad),
          rad(Math.max(...lons) + pad),
          rad(Math.max(...lats) + pad),
          0,
          top + 1,
        ],
      },
      geometricError: 0,
      refine: "ADD",
      content: { uri: contentUri },
    },
  };
}

/** A solid-colour 256×256 RGB PNG (an XYZ map tile). */
export function solidPng(rgb: [number, number, number]): Buffer {
  const size = 256;
  const row = Buffer.alloc(1 + size * 3);
  for (let x = 0; x < size; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function pngChunk(type: string, data: Buffer): Buffer {
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  let crc = 0xffffffff;
  for (const byte of td) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  td.copy(out, 4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0, 8 + data.length);
  return out;
}

/** Writes buildings.geojson, network.geojson and tiles/{tileset.json, features.b3dm} into `dir`. */
export function writeByoFixtures(
  dir: string,
  f: {
    buildings: FixtureBox[];
    tiles: FixtureBox[];
    network: { assetId: string; path: [number, number][]; depthM: number };
  },
): void {
  mkdirSync(join(dir, "tiles"), { recursive: true });
  writeFileSync(join(dir, "buildings.geojson"), JSON.stringify(buildingsGeoJson(f.buildings)));
  writeFileSync(
    join(dir, "network.geojson"),
    JSON.stringify(networkGeoJson(f.network.assetId, f.network.path, f.network.depthM)),
  );
  writeFileSync(join(dir, "tiles", "tileset.json"), JSON.stringify(tilesetJson(f.tiles, "features.b3dm")));
  writeFileSync(join(dir, "tiles", "features.b3dm"), b3dm(f.tiles));
}
