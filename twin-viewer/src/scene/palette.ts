/** Colours of the district's static layers (css strings; Cesium colours are made from these). */
import type { Network } from "@citytwin/model";

export const GROUND_COLORS = {
  arterial: "#4a5a72",
  secondary: "#3d4b60",
  local: "#323e50",
  water: "#1b4f8a",
  green: "#1d4a33",
  plaza: "#2b3444",
} as const;

export const BUILDING_COLORS = {
  residential: "#b3bfcf",
  office: "#c2d3e8",
  commercial: "#d3c9b4",
  public: "#b0cdc8",
  industrial: "#a1a5ae",
} as const;
export const BUILDING_ALPHA = 0.82;

export const NETWORK_COLORS: Readonly<Record<Network, string>> = {
  gas: "#f0b429",
  water: "#3aa0ff",
  drainage: "#a0743c",
};

export const BRIDGE_COLOR = "#94a9c2";
export const POLE_COLOR = "#8796ad";
