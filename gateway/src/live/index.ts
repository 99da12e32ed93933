export { LiveHub } from "./live-hub";
export type { LiveHubOptions } from "./live-hub";
