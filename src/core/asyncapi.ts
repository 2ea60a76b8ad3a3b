// AsyncAPI source descriptions as the compiler sees them: the load layer parses each one with @asyncapi/parser
// (src/load/asyncapi.ts) into this plain summary, so that compiling stays pure and the summary is JSON.
// Also the correlation key both sides of a delivery compute (the receive step and the transports).
import { getPointer } from './jsonpointer';

export interface AsyncApiChannelSummary {
  /** the channel's key under `channels` */
  name: string;
  /** its address (AsyncAPI 3) or its key (AsyncAPI 2) */
  address: string;
  servers: { protocol: string; url: string }[];
  /** each message's name and, when it declares one, its correlationId location ($message.payload#/data/id) */
  messages: { name: string; correlationId?: string }[];
}

export interface AsyncApiSummary {
  asyncapiSummary: true;
  /** the description's `asyncapi` version */
  version: string;
  channels: AsyncApiChannelSummary[];
  operations: { operationId: string; action: string; channel: string }[];
}

export const isAsyncApiSummary = (spec: unknown): spec is AsyncApiSummary =>
  typeof spec === 'object' && spec !== null && (spec as AsyncApiSummary).asyncapiSummary === true;

/** A message as a receive step sees it: `$message.header.<name>` and `$message.payload`. */
export interface ReceivedMessage {
  /** the id a transport deduplicates on (Standard Webhooks `webhook-id`, an MQTT `message-id` user property) */
  id: string;
  header: Record<string, string>;
  payload: unknown;
}

/** The value at a correlationId location (`$message.header#/x`, `$message.payload#/data/id`) of a message, as text. */
export function correlationValue(message: Pick<ReceivedMessage, 'header' | 'payload'>, location: string): string | undefined {
  const m = /^\$message\.(header|payload)(?:#(.*))?$/.exec(location.trim());
  if (!m) return undefined;
  const pointer = m[2] ?? '';
  const value =
    m[1] === 'header'
      ? Object.entries(message.header).find(([k]) => k.toLowerCase() === pointer.replace(/^\//, '').toLowerCase())?.[1]
      : getPointer(message.payload, pointer);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The correlation mailbox workflow (src/workflows/mailbox.ts) and its signals, by name: transports and activities start it. */
export const MAILBOX_WORKFLOW = 'arazzoMailbox';
export const DELIVER_SIGNAL = 'arazzo.deliver';
export const SUBSCRIBE_SIGNAL = 'arazzo.subscribe';
export const MESSAGE_SIGNAL = 'arazzo.message';

/** The Temporal workflow id of the correlation mailbox of (channel address, correlation value). */
export const mailboxId = (address: string, key: string): string => `arazzo-mailbox:${address}:${key}`;

/**
 * The mailboxes a message on `channel` goes to: one per distinct correlation value its messages' locations find
 * (none when it carries none of them); `*` when the channel declares no correlationId (a receive step without one).
 */
export function mailboxesFor(
  channel: { address: string; correlationLocations: string[] },
  message: Pick<ReceivedMessage, 'header' | 'payload'>,
): { mailboxId: string; key: string }[] {
  const keys = new Set<string>(channel.correlationLocations.length ? [] : ['*']);
  for (const location of channel.correlationLocations) {
    const value = correlationValue(message, location);
    if (value !== undefined) keys.add(value);
  }
  return [...keys].map((key) => ({ mailboxId: mailboxId(channel.address, key), key }));
}
