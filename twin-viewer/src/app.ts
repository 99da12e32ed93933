/**
 * Wires the viewer together: scene layers from the city model, the sensor layer, live updates,
 * the inspector, bars and test hooks. `startApp` resolves once the city is drawn, or with
 * undefined when the API refuses the token (the login state is shown instead; ./auth.ts).
 */
import type { Primitive, Viewer } from "cesium";
import type { CityModel, LiveMessage } from "@citytwin/model";
import { Cesium } from "./cesium-global";
import { mountAlarmPanel } from "./alarms/alarm-panel";
import { mountOverview } from "./overview/overview-panel";
import { AuthError, takeTokenFromFragment, token, type AuthProblem } from "./auth";
import { sessionInfoSchema, type SessionInfo } from "@citytwin/model";
import type { AppContext, AppEvents, Focus, TimeMode } from "./core/app-context";
import { apiGet, ApiError } from "./core/api";
import { indexCity } from "./core/city-index";
import { Emitter } from "./core/emitter";
import { checkAccess, loadCity, loadLatest, loadMode } from "./load-data";
import { LiveClient, liveUrl, type ConnectionState } from "./live/live-client";
import { createViewer, setUnderground } from "./scene/create-viewer";
import { addDistrictLayers } from "./scene/district-layers";
import { flyToPosition, frameDistrict } from "./scene/geo";
import { addUndergroundLayer } from "./scene/underground-layer";
import { SensorLayer } from "./sensors/sensor-layer";
import { SelectionMarker } from "./sensors/selection-marker";
import { installHooks, type CityTwinHooks } from "./test-hooks";
import { byId } from "./ui/dom";
import { lang, onLangChange, setGlossary, setLang, t } from "./ui/i18n";
import { mountDetail } from "./detail/mount-detail";
import { LoginView } from "./ui/login";
import { mountTimeline } from "./time/mount-timeline";
import { mountByoCity } from "./scene/byo-city";
import { mountLayersAndSearch } from "./tools/mount-tools";
import { StatusBar } from "./ui/status-bar";
import { TopBar } from "./ui/top-bar";

interface App {
  viewer: Viewer;
  city: CityModel;
  layer: SensorLayer;
  hooks: CityTwinHooks;
}

export async function startApp(): Promise<App | undefined> {
  takeTokenFromFragment();
  const status = new StatusBar(byId("statusbar"));
  status.start();
  void loadMode().then((mode) => status.setDemo(mode === "demo"));
  const login = new LoginView(byId("login"));
  const viewer = createViewer(byId("cesium"));
  const scene = viewer.scene;
  // Filled in once the city has loaded; the hooks and the language toggle may run before that.
  const parts: { layer?: SensorLayer; marker?: SelectionMarker } = {};
  let selectSensor: (id: string | undefined) => boolean = () => false;
  const hooks = installHooks({ scene, layer: () => parts.layer, select: (id) => selectSensor(id) });

  let city: CityModel | undefined;
  const underground: Primitive[] = [];
  const top = new TopBar(byId("topbar"), {
    underground: (on) => setUnderground(viewer, on, underground),
    toggleLang: () => {
      setLang(lang() === "zh" ? "en" : "zh");
      top.render(city);
      status.render();
      login.render();
      parts.marker?.refresh();
    },
  });
  top.render(undefined);
  const loading = byId("loading");
  loading.textContent = t("loading");
  const denied = (problem: AuthProblem) => {
    loading.hidden = true;
    status.setConnection("denied");
    login.show(problem);
    hooks.auth = problem;
    hooks.error = `not authorised: ${problem}`;
  };

  try {
    city = await loadCity();
  } catch (err) {
    if (err instanceof AuthError) {
      denied(err.problem);
      return undefined;
    }
    loading.textContent = `${t("loadFailed")}: ${(err as Error).message}`;
    hooks.error = (err as Error).message;
    throw err;
  }
  setGlossary(city.glossary);
  top.render(city);
  underground.push(...addUndergroundLayer(scene.primitives, city));
  const layers: Primitive[] = [...addDistrictLayers(scene.primitives, city), ...underground];
  setUnderground(viewer, top.underground, underground);
  const sensors = new SensorLayer(scene, city);
  parts.layer = sensors;
  status.setSensorCount(sensors.count);
  const selMarker = new SelectionMarker(scene, sensors);
  parts.marker = selMarker;
  const index = indexCity(city);
  const bus = new Emitter<AppEvents>();
  let timeMode: TimeMode = { mode: "live" };
  bus.on("time", (mode) => (timeMode = mode));
  onLangChange((next) => bus.emit("lang", next));
  let skewMs = 0;
  const ctx: AppContext = {
    viewer,
    scene,
    city,
    index,
    sensors,
    session: await loadSession(),
    bus,
    time: () => timeMode,
    clockSkewMs: () => skewMs,
    focus(target: Focus | undefined, opts = {}) {
      if (target === undefined) {
        bus.emit("focus", undefined);
        return true;
      }
      const asset = index.assets.get(target.assetId);
      if (asset === undefined) return false;
      if (target.sensorId !== undefined && index.sensors.get(target.sensorId)?.assetId !== asset.id)
        return false;
      bus.emit("focus", target);
      if (opts.fly === true) {
        const at =
          target.sensorId !== undefined ? index.sensors.get(target.sensorId)!.position : asset.position;
        flyToPosition(viewer, at);
      }
      return true;
    },
  };
  let markedSensor: string | undefined;
  bus.on("focus", (f) => {
    // A focused asset without a chosen sensor shows its first sensor on the map.
    const id = f === undefined ? undefined : (f.sensorId ?? index.sensorsByAsset.get(f.assetId)?.[0]?.id);
    markedSensor = id;
    selMarker.select(id);
  });
  selectSensor = (id) => {
    if (id === undefined) return ctx.focus(undefined);
    const sensor = index.sensors.get(id);
    return sensor !== undefined && ctx.focus({ assetId: sensor.assetId, sensorId: id });
  };
  sensors.onApplied((changed) => {
    if (markedSensor !== undefined && changed.has(markedSensor)) selMarker.refresh();
  });
  const click = new Cesium.ScreenSpaceEventHandler(scene.canvas);
  click.setInputAction((ev: { position: { x: number; y: number } }) => {
    const picked: unknown = scene.pick(new Cesium.Cartesian2(ev.position.x, ev.position.y));
    const hit = picked as { collection?: unknown; id?: unknown } | undefined;
    selectSensor(hit?.collection === sensors.points && typeof hit.id === "string" ? hit.id : undefined);
  }, Cesium.ScreenSpaceEventType.LEFT_CLICK);
  frameDistrict(viewer, city);

  const backfill = (readings: Awaited<ReturnType<typeof loadLatest>>) => {
    for (const r of readings) status.noteTs(r.ts);
    sensors.enqueueLatest(readings);
  };
  backfill(await loadLatest());
  sensors.flush();
  bus.on("live", (msg) => {
    if (msg.type === "hello") skewMs = msg.serverTime - Date.now();
    else if (msg.type === "readings") {
      status.countReadings(msg.r);
      sensors.enqueue(msg.r);
    } else if (msg.type === "gateway") {
      sensors.setGatewayState(msg.gatewayId, msg.state);
    }
  });
  // After a reconnect, re-read the latest readings: frames sent while away are gone.
  let connectedBefore = false;
  let downSince: number | undefined;
  const onState = (state: ConnectionState) => {
    status.setConnection(state);
    bus.emit("connection", state);
    if (state !== "live") {
      downSince ??= Date.now();
      return;
    }
    if (connectedBefore) {
      void loadLatest().then(backfill);
      bus.emit("reconnected", { downSinceMs: downSince ?? Date.now() });
    }
    downSince = undefined;
    connectedBefore = true;
  };
  // A socket refused before opening may mean the token stopped working: ask the API which.
  const live: LiveClient = new LiveClient(liveUrl(window.location, token()), {
    message: (msg: LiveMessage) => bus.emit("live", msg),
    state: onState,
    refused: () =>
      void checkAccess().then((problem) => {
        if (problem === undefined) return;
        live.stop();
        bus.emit("connection", "denied");
        denied(problem.problem);
      }),
  });
  status.bind({ skewMs: () => skewMs, retryAt: () => live.retryAt, time: () => timeMode });
  bus.on("time", () => status.render());
  mountFeatures(ctx);
  live.start();

  // Ready once every static layer has been built and a frame has been drawn after that.
  const removeReadyCheck = scene.postRender.addEventListener(() => {
    if (layers.every((p) => p.ready || !p.show)) {
      removeReadyCheck();
      loading.hidden = true;
      hooks.ready = true;
    } else {
      requestAnimationFrame(() => scene.requestRender());
    }
  });
  scene.requestRender();
  return { viewer, city, layer: sensors, hooks };
}

/** Feature modules, each rendering into its own region of index.html (core/app-context.ts). */
function mountFeatures(ctx: AppContext): void {
  void ctx;
  mountAlarmPanel(ctx);
  mountOverview(ctx);
  mountDetail(ctx);
  mountLayersAndSearch(ctx);
  mountTimeline(ctx);
  void mountByoCity(ctx);
}

/** Who the token is. A gateway without /api/session (older) is treated as the viewer role. */
async function loadSession(): Promise<SessionInfo> {
  try {
    return await apiGet("api/session", sessionInfoSchema);
  } catch (err) {
    if (err instanceof ApiError) return { name: "?", role: "viewer", mode: "secure" };
    throw err;
  }
}
