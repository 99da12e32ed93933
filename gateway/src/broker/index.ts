export { Broker, DROP_TOPIC } from "./broker";
export type { BrokerOptions } from "./broker";
export { GatewayAuthenticator } from "./auth";
export type { AuthVerdict } from "./auth";
