export { HotStore, QUALITY_CODE, LEVEL_CODE, hotStoreCapacity } from "./hot-store";
export type { HistoryPoint, LatestPoint } from "./hot-store";
