export * from "./types";
export * from "./ewma-z";
export * from "./robust-z";
export * from "./context-novelty";
export * from "./onset-latch";
export * from "./ensemble";
export * from "./presets";
