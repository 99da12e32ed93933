/** Agent version reported in the gateway status. */
export const AGENT_VERSION = "0.1.0";
