/**
 * The pole vendor's controller broker ("field broker"): an embedded Aedes MQTT 3.1.1 broker
 * that the simulated pole controllers publish to and the edge agent subscribes to.
 * TCP server created with noDelay (Nagle off): QoS 1 round trips drop from ~44 ms to < 1 ms.
 *
 * Lifecycle: constructor assigns; start() listens on host:port; stop() closes clients,
 * the listener and the broker.
 */
import { createServer, type Server } from "node:net";
import type { Logger } from "pino";
import { Aedes } from "aedes";
import { CityTwinError } from "@citytwin/model";

export interface FieldBrokerOptions {
  host: string;
  port: number;
  logger: Logger;
}

export class FieldBroker {
  private readonly options: FieldBrokerOptions;
  private broker: Aedes | undefined;
  private server: Server | undefined;

  constructor(options: FieldBrokerOptions) {
    this.options = options;
  }

  get url(): string {
    return `mqtt://${this.options.host}:${this.options.port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    // [MQTT-3.1.3-8]: a zero-length client id requires CleanSession = 1 (aedes #1095).
    broker.preConnect = (_client, packet, done) => {
      if (packet.clientId === "" && packet.clean === false) {
        done(new CityTwinError("MQTT_CLIENT_ID", "zero-length client id with clean session 0"), false);
        return;
      }
      done(null, true);
    };
    const server = createServer({ noDelay: true }, broker.handle);
    this.broker = broker;
    this.server = server;
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (cause) => {
        reject(
          new CityTwinError("SIM_BROKER_LISTEN", `field broker cannot listen on ${host}:${port}`, { cause }),
        );
      });
      server.listen(port, host, () => resolve());
    }).catch(async (err: unknown) => {
      await this.stop();
      throw err;
    });
    this.options.logger.info({ url: this.url }, "field broker listening");
  }

  async stop(): Promise<void> {
    const { server, broker } = this;
    this.server = undefined;
    this.broker = undefined;
    if (broker !== undefined) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server !== undefined && server.listening)
      await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
