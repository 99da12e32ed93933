export { Api } from "./api";
export type { ApiDeps } from "./api";
export { HttpServer } from "./http-server";
export type { UpgradeHandler } from "./http-server";
export { serveStatic, resolveStaticPath, CONTENT_TYPES } from "./static-files";
export { sendJson, sendError } from "./respond";
