/** Stage id → runner, in suite order (types.ts STAGES). */
import { broker, detect, edge, ingest, scaling } from "./stages";
import type { Ctx } from "./context";
import type { Section, StageId } from "./types";
import { profile } from "./profile-stage";
import { viewer } from "./viewer-stage";

export const RUNNERS: Record<StageId, (ctx: Ctx) => Promise<Section>> = {
  broker,
  ingest,
  edge,
  detect,
  scaling,
  profile,
  viewer,
};
