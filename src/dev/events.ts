// The event transports of `dev`: the webhook receiver (Standard Webhooks, port 8088 by default) and an embedded MQTT
// broker (aedes, port 1883), both in this process; the simulator signs its webhook events with the same secret and
// delivers them to the receiver. A port in use (another `dev`) falls back to a free one. The secret is
// $ARAZZO_WEBHOOK_SECRET, else one made up for this process; it is never printed.
import { randomBytes } from 'node:crypto';
import { startReceiver, startRoutedBroker } from '../webhooks';

export interface DevEvents {
  webhooksUrl: string;
  mqttUrl: string;
  secret: string;
  lines: string[];
  stop(): Promise<void>;
}

async function onPort<T>(port: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return start(0);
  }
}

export async function startDevEvents(address: string): Promise<DevEvents> {
  const secret = process.env.ARAZZO_WEBHOOK_SECRET || `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await onPort(Number(process.env.ARAZZO_WEBHOOKS_PORT ?? 8088), (port) => startReceiver({ port, secret, address }));
  const broker = await onPort(Number(process.env.ARAZZO_MQTT_PORT ?? 1883), (port) =>
    startRoutedBroker({ port, address, log: (line) => console.error(line) }),
  );
  const source = process.env.ARAZZO_WEBHOOK_SECRET ? '$ARAZZO_WEBHOOK_SECRET' : 'a secret made up for this run';
  return {
    webhooksUrl: receiver.url,
    mqttUrl: broker.url,
    secret,
    lines: [
      `Webhook receiver     ${receiver.url}/webhooks/openai  (Standard Webhooks, ${source}; the simulator delivers its events here)`,
      `MQTT broker          ${broker.url}  (messages on the channels of asyncapi/*.yml go to their mailboxes, kept until a run waits)`,
    ],
    stop: async () => {
      await receiver.close();
      await broker.close();
    },
  };
}
