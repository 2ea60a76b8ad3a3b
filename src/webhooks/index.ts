// The event transports outside the worker: the webhook receiver, and the embedded MQTT broker `dev` runs. Both are
// started in this process (so they stop with it); startEventTransports is what `webhooks` and `dev` call.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../codec';
import { temporalSettings } from '../config';
import { PROJECT_ROOT } from '../temporal/dev-server';
import { channelsOf, startWebhookServer, type WebhookChannel, type WebhookServer } from './server';

export { startWebhookServer, channelsOf, type WebhookServer, type WebhookStats } from './server';
import { startMqttBroker, type MqttBroker } from './mqtt-broker';

export { startMqttBroker, type MqttBroker, type MqttRoute } from './mqtt-broker';

/** The AsyncAPI descriptions under the project's asyncapi/ directory (the default routes of the receiver). */
export function defaultAsyncApiFiles(): string[] {
  const dir = join(PROJECT_ROOT, 'asyncapi');
  try {
    return readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** The whsec_ secret from the environment variable `name`; never printed. */
export function webhookSecret(name = 'ARAZZO_WEBHOOK_SECRET'): string {
  const secret = process.env[name];
  if (!secret) throw new Error(`the webhook receiver needs its signing secret in $${name} (whsec_<base64>, as the sender shows it)`);
  if (!secret.startsWith('whsec_')) throw new Error(`$${name} is not a Standard Webhooks secret (it must start with whsec_)`);
  return secret;
}

export interface ReceiverOptions {
  port: number;
  host?: string;
  secret: string;
  asyncapi?: string[];
  address?: string;
  namespace?: string;
  taskQueue?: string;
  log?: (line: string) => void;
}

/** Connect to Temporal, read the AsyncAPI channels, and start `start` with them; close() also closes the connection. */
async function withTemporal<T extends { close(): Promise<void> }>(
  opts: Omit<ReceiverOptions, 'port' | 'secret'>,
  start: (client: Client, taskQueue: string, channels: WebhookChannel[]) => Promise<T>,
): Promise<T> {
  const settings = temporalSettings({ address: opts.address, namespace: opts.namespace, taskQueue: opts.taskQueue });
  const connection = await Connection.connect({ address: settings.address });
  const client = new Client({ connection, namespace: settings.namespace, dataConverter: dataConverter() });
  try {
    const channels = await channelsOf(opts.asyncapi?.length ? opts.asyncapi : defaultAsyncApiFiles());
    const started = await start(client, settings.taskQueue, channels);
    return { ...started, close: () => started.close().finally(() => connection.close()) };
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/** Connect to Temporal and start the webhook receiver; close() stops both. */
export function startReceiver(opts: ReceiverOptions): Promise<WebhookServer> {
  return withTemporal(opts, (client, taskQueue, channels) => startWebhookServer({ ...opts, client, taskQueue, channels }));
}

/** The embedded MQTT broker, routing what is published on the AsyncAPI channels to their mailboxes (see mqtt-broker.ts). */
export function startRoutedBroker(opts: Omit<ReceiverOptions, 'secret'>): Promise<MqttBroker> {
  return withTemporal(opts, (client, taskQueue, channels) =>
    startMqttBroker({ port: opts.port, host: opts.host, route: { client, taskQueue, channels, log: opts.log } }),
  );
}
