/**
 * Wires the viewer together: scene layers from the city model, the sensor layer, live updates,
 * the inspector, bars and test hooks. `startApp` resolves once the city is drawn, or with
 * undefined when the API refuses the token (the login state is shown instead; ./auth.ts).
 */
import type { Primitive, Viewer } from "cesium";
import type { CityModel, LiveMessage } from "@citytwin/model";
import { Cesium } from "./cesium-global";
import { AuthError, takeTokenFromFragment, token, type AuthProblem } from "./auth";
import { checkAccess, loadCity, loadLatest, loadMode } from "./load-data";
import { LiveClient, liveUrl, type ConnectionState } from "./live/live-client";
import { createViewer, setUnderground } from "./scene/create-viewer";
import { addDistrictLayers } from "./scene/district-layers";
import { frameDistrict } from "./scene/geo";
import { addUndergroundLayer } from "./scene/underground-layer";
import { SensorLayer } from "./sensors/sensor-layer";
import { SelectionMarker } from "./sensors/selection-marker";
import { installHooks, type CityTwinHooks } from "./test-hooks";
import { byId } from "./ui/dom";
import { lang, setLang, t } from "./ui/i18n";
import { InfoPanel } from "./ui/info-panel";
import { LoginView } from "./ui/login";
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
  const parts: { layer?: SensorLayer; panel?: InfoPanel; marker?: SelectionMarker } = {};
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
      parts.panel?.refresh();
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
  top.render(city);
  underground.push(...addUndergroundLayer(scene.primitives, city));
  const layers: Primitive[] = [...addDistrictLayers(scene.primitives, city), ...underground];
  setUnderground(viewer, top.underground, underground);
  const sensors = new SensorLayer(scene, city);
  parts.layer = sensors;
  status.setSensorCount(sensors.count);
  const selMarker = new SelectionMarker(scene, sensors);
  parts.marker = selMarker;
  const info = new InfoPanel(byId("panel"), sensors, city, () => selectSensor(undefined));
  parts.panel = info;
  selectSensor = (id) => {
    if (id !== undefined && sensors.sensor(id) === undefined) return false;
    selMarker.select(id);
    if (id === undefined) info.hide();
    else info.show(id);
    return true;
  };
  sensors.onApplied((changed) => {
    info.refresh(changed);
    if (info.selected !== undefined && changed.has(info.selected)) selMarker.refresh();
  });
  const click = new Cesium.ScreenSpaceEventHandler(scene.canvas);
  click.setInputAction((ev: { position: { x: number; y: number } }) => {
    const picked: unknown = scene.pick(new Cesium.Cartesian2(ev.position.x, ev.position.y));
    const hit = picked as { collection?: unknown; id?: unknown } | undefined;
    selectSensor(hit?.collection === sensors.points && typeof hit.id === "string" ? hit.id : undefined);
  }, Cesium.ScreenSpaceEventType.LEFT_CLICK);
  frameDistrict(viewer, city);

  sensors.enqueueLatest(await loadLatest());
  sensors.flush();
  const onMessage = (msg: LiveMessage) => {
    if (msg.type === "readings") {
      status.countReadings(msg.r.length);
      sensors.enqueue(msg.r);
    } else if (msg.type === "gateway") {
      sensors.setGatewayState(msg.gatewayId, msg.state);
    }
  };
  // After a reconnect, re-read the latest readings: frames sent while away are gone.
  let connectedBefore = false;
  const onState = (state: ConnectionState) => {
    status.setConnection(state);
    if (state !== "live") return;
    if (connectedBefore) void loadLatest().then((r) => sensors.enqueueLatest(r));
    connectedBefore = true;
  };
  // A socket refused before opening may mean the token stopped working: ask the API which.
  const live: LiveClient = new LiveClient(liveUrl(window.location, token()), {
    message: onMessage,
    state: onState,
    refused: () =>
      void checkAccess().then((problem) => {
        if (problem === undefined) return;
        live.stop();
        denied(problem.problem);
      }),
  });
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
