/**
 * Vite build for the twin viewer. Cesium is NOT bundled: its prebuilt `Build/Cesium` folder is
 * copied to `dist/cesium/` and loaded with a classic <script> (global `Cesium`), which keeps
 * `vite build` to seconds. The output uses relative URLs (`base: "./"`) so the gateway can serve
 * it from any path. `npm run dev` proxies /api and /live to a gateway at $CITYTWIN_GATEWAY.
 */
import { cpSync, createReadStream, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";
import { defineConfig, type Plugin } from "vite";

const cesiumBuild = join(
  dirname(createRequire(import.meta.url).resolve("cesium/package.json")),
  "Build",
  "Cesium",
);
const gateway = process.env["CITYTWIN_GATEWAY"] ?? "http://127.0.0.1:8080";

const MIME: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".wasm": "application/wasm",
};

/** Copies Cesium's prebuilt folder into dist/cesium and injects its script and stylesheet. */
function cesiumStatic(): Plugin {
  let outDir = "dist";
  return {
    name: "citytwin-cesium-static",
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    transformIndexHtml() {
      return [
        {
          tag: "link",
          attrs: { rel: "stylesheet", href: "./cesium/Widgets/widgets.css" },
          injectTo: "head-prepend",
        },
        { tag: "script", children: 'window.CESIUM_BASE_URL = "./cesium/";', injectTo: "head-prepend" },
        { tag: "script", attrs: { src: "./cesium/Cesium.js" }, injectTo: "head-prepend" },
      ];
    },
    configureServer(server) {
      server.middlewares.use("/cesium", (req, res, next) => {
        const rel = normalize(decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/"));
        const file = join(cesiumBuild, rel);
        if (!file.startsWith(cesiumBuild + sep) || !existsSync(file) || !statSync(file).isFile())
          return next();
        res.setHeader("Content-Type", MIME[extname(file)] ?? "application/octet-stream");
        createReadStream(file).pipe(res);
      });
    },
    closeBundle() {
      cpSync(cesiumBuild, join(outDir, "cesium"), { recursive: true });
    },
  };
}

export default defineConfig({
  base: "./",
  plugins: [cesiumStatic()],
  build: { target: "es2022", chunkSizeWarningLimit: 2000, reportCompressedSize: false },
  server: {
    proxy: {
      "/api": gateway,
      "/live": { target: gateway.replace(/^http/, "ws"), ws: true },
    },
  },
});
