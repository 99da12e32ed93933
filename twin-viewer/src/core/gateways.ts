/**
 * GET api/gateways (`{ gateways: GatewayView[] }`, the gateway's tracker view): each edge
 * gateway's online/offline state and its edge-reported device health map. Only the fields the
 * viewer reads are checked; the rest of the view passes through.
 */
import { z } from "zod";
import { apiGet } from "./api";

const gatewaysSchema = z.object({
  gateways: z.array(
    z.object({
      id: z.string(),
      state: z.enum(["online", "offline", "unknown"]),
      devices: z.record(z.string(), z.string()).optional(),
    }),
  ),
});
export type GatewayViews = z.infer<typeof gatewaysSchema>["gateways"];

export function loadGateways(): Promise<GatewayViews> {
  return apiGet("api/gateways", gatewaysSchema).then((r) => r.gateways);
}
