// Entry of a decode thread: registers tsx's loader in this thread (worker threads do not
// inherit it under every runner, e.g. vitest), then loads the TypeScript thread module.
import { register } from "tsx/esm/api";

register();
await import("./decode-thread.ts");
