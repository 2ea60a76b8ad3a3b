// The embedded MQTT broker of `dev` (aedes, MQTT 3.1.1, in memory): where send steps on mqtt AsyncAPI servers
// publish and the worker's MQTT client listens for receive steps (src/activities/mqtt-bridge.ts).
import { createServer, type AddressInfo } from 'node:net';
import Aedes from 'aedes';

export interface MqttBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMqttBroker(opts: { port: number; host?: string }): Promise<MqttBroker> {
  const broker = new Aedes();
  const server = createServer(broker.handle);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
