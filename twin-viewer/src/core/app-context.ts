/**
 * What every feature module of the viewer gets: the Cesium viewer, the city and its index, the
 * sensor layer, the session (role), the API client, and the app bus. A feature is a function
 * `mountX(ctx)` called once after the city is drawn (see ../app.ts); it renders into its own
 * region of index.html and talks to the others only through the bus and `ctx.focus`.
 */
import type { Scene, Viewer } from "cesium";
import type { CityModel, LiveMessage, SessionInfo } from "@citytwin/model";
import type { ConnectionState } from "../live/live-client";
import type { SensorLayer } from "../sensors/sensor-layer";
import type { CityIndex } from "./city-index";
import type { Emitter } from "./emitter";

/** What the scene shows: the live state, or the state at an instant in the past. */
export type TimeMode = { mode: "live" } | { mode: "replay"; at: number };

/** A selection: an asset (detail panel) and optionally one of its sensors. */
export interface Focus {
  assetId: string;
  sensorId?: string;
}

export interface AppEvents extends Record<string, unknown> {
  /** Every decoded `/live` frame, in arrival order. */
  live: LiveMessage;
  /** The `/live` connection; "denied" once the token stopped working. */
  connection: ConnectionState | "denied";
  /** The socket reopened after a loss: views re-read what they may have missed (backfill). */
  reconnected: { downSinceMs: number };
  /** Selection changed (undefined = nothing selected). */
  focus: Focus | undefined;
  /** Live or replay; every time-dependent view follows it. */
  time: TimeMode;
  /** The UI language changed (views re-render). */
  lang: "zh" | "en";
}

export interface AppContext {
  viewer: Viewer;
  scene: Scene;
  city: CityModel;
  index: CityIndex;
  sensors: SensorLayer;
  /** Who the token is; gates operator actions (viewer role: disabled buttons). */
  session: SessionInfo;
  bus: Emitter<AppEvents>;
  /** The current time mode (the last `time` event). */
  time(): TimeMode;
  /** Selects an asset (and sensor) and flies the camera to it; false for an unknown id. */
  focus(target: Focus | undefined, opts?: { fly?: boolean }): boolean;
  /** The gateway's clock offset: serverTime − Date.now() from the `hello` frame (0 until known). */
  clockSkewMs(): number;
}

/** Role order for gating: viewer < operator < admin. */
export function hasRole(session: SessionInfo, needed: SessionInfo["role"]): boolean {
  const rank = { viewer: 0, operator: 1, admin: 2 } as const;
  return rank[session.role] >= rank[needed];
}
