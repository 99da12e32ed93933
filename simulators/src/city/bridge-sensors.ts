/**
 * The CT-SHM8 structural-health station on a three-span bridge: which sensor sits on which
 * span and where along the deck (fraction of deck length, south to north). The OPC UA
 * simulator builds its Span1..Span3 objects from this table.
 */
export interface BridgeSensorSpec {
  key: string;
  kind: "strain" | "deflection" | "acceleration";
  span: 1 | 2 | 3;
  /** Position along the deck, 0 = south abutment, 1 = north abutment. */
  at: number;
}

export const BRIDGE_SPAN_COUNT = 3;
export const BRIDGE_DECK_HEIGHT_M = 8;
export const BRIDGE_DEVICE_MODEL = "CT-SHM8";

export const BRIDGE_SENSORS: readonly BridgeSensorSpec[] = [
  { key: "strain_1", kind: "strain", span: 1, at: 1 / 6 },
  { key: "strain_2", kind: "strain", span: 2, at: 0.4 },
  { key: "strain_3", kind: "strain", span: 2, at: 0.6 },
  { key: "strain_4", kind: "strain", span: 3, at: 5 / 6 },
  { key: "deflection_1", kind: "deflection", span: 1, at: 1 / 6 },
  { key: "deflection_2", kind: "deflection", span: 2, at: 0.5 },
  { key: "acceleration_1", kind: "acceleration", span: 2, at: 0.5 },
  { key: "acceleration_2", kind: "acceleration", span: 3, at: 5 / 6 },
];
