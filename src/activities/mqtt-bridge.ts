// The worker's MQTT client: publishes send steps' messages on mqtt AsyncAPI servers, and listens on the channels
// receive steps wait on, delivering each message to its correlation mailbox (./mailbox-delivery.ts). One
// connection per broker URL, per worker process. MQTT 3.1.1 (what the embedded aedes broker speaks) has no
// message headers: a message's `$message.header` holds its topic, and its id (for deduplication) is the sha256 of
// topic and payload, so a QoS 1 redelivery is dropped by the mailbox.
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { MqttClient } from 'mqtt';
import type { ReceivedMessage } from '../core/asyncapi';
import type { PlanChannel } from '../core/plan';
import { deliverMessage } from './mailbox-delivery';

interface Broker {
  client: MqttClient;
  connected: Promise<void>;
  /** topic → the channel it carries, with the task queue its mailboxes run on */
  topics: Map<string, { channel: PlanChannel; taskQueue: string }>;
}

const brokers = new Map<string, Broker>();
let temporal: Client | undefined;

function broker(url: string): Broker {
  let b = brokers.get(url);
  if (b) return b;
  // mqtt is loaded at the first MQTT server a run uses: most workers never need it (idle RSS)
  const mqtt = (require('mqtt') as typeof import('mqtt')).default;
  const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 1000, connectTimeout: 10_000 });
  const connected = new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  connected.catch(() => brokers.delete(url));
  b = { client, connected, topics: new Map() };
  brokers.set(url, b);
  const topics = b.topics;
  client.on('message', (topic, bytes) => void onMessage(topics, topic, bytes));
  return b;
}

/** A message as a receive step sees it. */
export function mqttMessage(topic: string, bytes: Buffer): ReceivedMessage {
  const text = bytes.toString('utf8');
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    // not JSON: the payload is the text
  }
  const id = createHash('sha256').update(topic).update('\0').update(bytes).digest('hex').slice(0, 32);
  return { id, header: { topic }, payload };
}

async function onMessage(topics: Broker['topics'], topic: string, bytes: Buffer): Promise<void> {
  const route = topics.get(topic);
  if (!route || !temporal) return;
  try {
    const boxes = await deliverMessage(temporal, route.taskQueue, route.channel, mqttMessage(topic, bytes));
    if (!boxes.length)
      console.warn(`mqtt: a message on ${topic} carries no correlation value its channel declares; acknowledged and dropped`);
  } catch (err) {
    console.error(`mqtt: could not deliver a message on ${topic}: ${(err as Error).message}`);
  }
}

/** Listen on these channels (their broker is each channel's server URL) before anything is published. */
export async function listen(client: Client, taskQueue: string, channels: PlanChannel[]): Promise<void> {
  temporal ??= client;
  for (const channel of channels) {
    if (!channel.server) continue;
    const b = broker(channel.server.url);
    await b.connected;
    if (b.topics.has(channel.address)) continue;
    b.topics.set(channel.address, { channel, taskQueue });
    await b.client.subscribeAsync(channel.address, { qos: 1 });
  }
}

export async function publish(url: string, topic: string, payload: unknown): Promise<void> {
  const b = broker(url);
  await b.connected;
  await b.client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload ?? null), { qos: 1 });
}

/** Close every broker connection (worker shutdown, tests). */
export async function closeBrokers(): Promise<void> {
  const all = [...brokers.values()];
  brokers.clear();
  await Promise.all(all.map((b) => b.client.endAsync(true).catch(() => undefined)));
}
