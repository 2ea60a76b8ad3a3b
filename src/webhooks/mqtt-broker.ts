// The embedded MQTT broker of `dev` (aedes, MQTT 3.1.1, in memory): where send steps on mqtt AsyncAPI servers
// publish and the worker's MQTT client listens for receive steps (src/activities/mqtt-bridge.ts).
//
// With `route`, the broker also hands every message published on a channel of the given AsyncAPI descriptions to
// its correlation mailbox itself, as the webhook receiver does for HTTP: a message published before any receive
// step (or any worker) listens is kept by its mailbox instead of being dropped for want of a subscriber. The id
// is the one the worker's bridge gives the same message (sha256 of topic and payload), so the mailbox takes it
// once whichever of the two delivers it first.
import { createServer, type AddressInfo } from 'node:net';
import Aedes from 'aedes';
import type { Client } from '@temporalio/client';
import { deliverMessage } from '../activities/mailbox-delivery';
import { mqttMessage } from '../activities/mqtt-bridge';
import type { WebhookChannel } from './server';

export interface MqttBroker {
  url: string;
  port: number;
  /** messages handed to a mailbox by the broker itself (route) */
  routed(): number;
  close(): Promise<void>;
}

export interface MqttRoute {
  client: Client;
  /** the workflow task queue (where the mailboxes run) */
  taskQueue: string;
  /** channels by address (topic), with their correlation locations (channelsOf) */
  channels: WebhookChannel[];
  log?: (line: string) => void;
}

export async function startMqttBroker(opts: { port: number; host?: string; route?: MqttRoute }): Promise<MqttBroker> {
  const broker = new Aedes();
  let routed = 0;
  const route = opts.route;
  if (route)
    broker.on('publish', (packet, client) => {
      // client null: the broker's own $SYS messages
      const channel = client && route.channels.find((c) => c.address === packet.topic);
      if (!channel) return;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(String(packet.payload));
      deliverMessage(route.client, route.taskQueue, channel, mqttMessage(packet.topic, payload)).then(
        (boxes) => (routed += boxes.length ? 1 : 0),
        (err: Error) => route.log?.(`mqtt broker: could not deliver a message on ${packet.topic} to its mailbox: ${err.message}`),
      );
    });
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
    routed: () => routed,
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
