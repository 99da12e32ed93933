/**
 * What the alarm manager asks the rest of the gateway: where a source sits in the city
 * (`resolveSource`) and the readings window that raised an alarm (`evidence`, from the hot
 * store). Sources are sensor, device, asset or gateway ids (see Condition.sourceId).
 */
import { sensorKind, type CityModel, type EvidenceSeries } from "@citytwin/model";
import type { EvidenceProvider, ResolveSource, SourceInfo } from "../alarms";
import type { HotStore } from "../hot-store/hot-store";
import type { DeviceRegistry } from "../ingest/registry";

/** Evidence window before the raising reading, and the most points kept per sensor. */
export const EVIDENCE_WINDOW_MS = 10 * 60_000;
export const EVIDENCE_MAX_POINTS = 600;

export function sourceResolver(city: CityModel): ResolveSource {
  const byId = new Map<string, SourceInfo>();
  const assetDomain = new Map<string, string>();
  for (const s of city.sensors) if (!assetDomain.has(s.assetId)) assetDomain.set(s.assetId, s.domain);
  for (const a of city.assets) {
    const domain = assetDomain.get(a.id) ?? "unknown";
    byId.set(a.id, { assetId: a.id, assetType: a.type, domain, hierarchy: a.hierarchy, owner: a.owner });
  }
  for (const d of city.devices) {
    const info = byId.get(d.assetId);
    if (info !== undefined) byId.set(d.id, info);
  }
  for (const s of city.sensors) {
    const info = byId.get(s.assetId);
    if (info !== undefined) byId.set(s.id, { ...info, domain: s.domain });
  }
  const first = city.assets[0];
  for (const g of city.gateways) {
    // A gateway is no asset; it answers to the district's operations team.
    byId.set(g.id, {
      assetId: g.id,
      assetType: "gateway",
      domain: "platform",
      hierarchy: {
        city: first?.hierarchy.city ?? city.city.name,
        district: first?.hierarchy.district ?? city.district.name,
        street: "",
        grid: "",
      },
      owner: { org: `${city.district.name} IoT operations`, person: "On-call engineer", phone: "" },
    });
  }
  return (sourceId) => byId.get(sourceId);
}

export function evidenceProvider(registry: DeviceRegistry, hotStore: HotStore): EvidenceProvider {
  return (sensorIds, endTs) => {
    const out: EvidenceSeries[] = [];
    for (const id of sensorIds) {
      const s = registry.sensorsById.get(id);
      if (s === undefined) continue;
      let points = hotStore.range(s.index, endTs - EVIDENCE_WINDOW_MS, endTs);
      if (points.length > EVIDENCE_MAX_POINTS) points = points.slice(-EVIDENCE_MAX_POINTS);
      out.push({
        sensorId: id,
        kind: s.kind,
        unit: sensorKind(s.kind)?.unit ?? "",
        points: points.map(([ts, value]) => [ts, value]),
      });
    }
    return out;
  };
}
