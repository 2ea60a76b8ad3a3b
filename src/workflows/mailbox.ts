// The correlation mailbox: one workflow per (channel, correlation value), id `arazzo-mailbox:<address>:<key>`.
// Transports deliver to it with Signal-With-Start (`arazzo.deliver`), so an event that arrives before any run
// waits for it is kept; a run whose receive step waits subscribes to it the same way (`arazzo.subscribe`). The
// mailbox forwards every message, once, to each subscribed run (`arazzo.message`), dropping a redelivery of a
// message id it has seen. A run that no longer exists is logged and the message acknowledged. The mailbox ends
// after `idleMs` without a signal (it remembers the ids it saw until then), continuing as new when history grows.
import { condition, continueAsNew, defineSignal, getExternalWorkflowHandle, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { DELIVER_SIGNAL, MESSAGE_SIGNAL, SUBSCRIBE_SIGNAL, type ReceivedMessage } from '../core/asyncapi';

export const deliverSignal = defineSignal<[ReceivedMessage]>(DELIVER_SIGNAL);
export const subscribeSignal = defineSignal<[{ workflowId: string }]>(SUBSCRIBE_SIGNAL);
/** What a run receives: the mailbox it came from and the message. */
export const messageSignal = defineSignal<[{ mailboxId: string; message: ReceivedMessage }]>(MESSAGE_SIGNAL);

export interface MailboxInput {
  channel: string;
  key: string;
  /** how long the mailbox lives without a signal (default 3 days: Standard Webhooks senders retry for days) */
  idleMs?: number;
  /** carried over by continue-as-new */
  seen?: string[];
  queue?: ReceivedMessage[];
  subscribers?: string[];
}

export interface MailboxResult {
  forwarded: number;
  duplicates: number;
  /** messages that reached no run: kept until the mailbox ended idle, or whose run no longer existed */
  dropped: number;
}

const DEFAULT_IDLE_MS = 3 * 24 * 3600 * 1000;
const SEEN_LIMIT = 1000;

export async function arazzoMailbox(input: MailboxInput): Promise<MailboxResult> {
  const seen = new Set(input.seen ?? []);
  const queue = [...(input.queue ?? [])];
  let subscribers = [...(input.subscribers ?? [])];
  const result: MailboxResult = { forwarded: 0, duplicates: 0, dropped: 0 };
  let signals = 0;
  setHandler(deliverSignal, (message) => {
    signals++;
    if (seen.has(message.id)) {
      result.duplicates++;
      log.info(`mailbox ${workflowInfo().workflowId}: message ${message.id} delivered again; dropped as a duplicate`);
      return;
    }
    seen.add(message.id);
    queue.push(message);
  });
  setHandler(subscribeSignal, ({ workflowId }) => {
    signals++;
    if (!subscribers.includes(workflowId)) subscribers.push(workflowId);
  });
  for (;;) {
    const before = signals;
    const woke = await condition(() => (queue.length > 0 && subscribers.length > 0) || signals !== before, input.idleMs ?? DEFAULT_IDLE_MS);
    if (!woke) break;
    while (queue.length > 0 && subscribers.length > 0) subscribers = await forward(queue.shift()!, subscribers, result);
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 5000) {
      await continueAsNew<typeof arazzoMailbox>({ ...input, seen: [...seen].slice(-SEEN_LIMIT), queue, subscribers });
    }
  }
  if (queue.length)
    log.warn(`mailbox ${workflowInfo().workflowId}: ${queue.length} message(s) no run waited for; acknowledged and dropped`);
  result.dropped += queue.length;
  return result;
}

/** Forward one message to every subscriber; returns the subscribers that still exist. */
async function forward(message: ReceivedMessage, subscribers: string[], result: MailboxResult): Promise<string[]> {
  const alive: string[] = [];
  const mailboxId = workflowInfo().workflowId;
  for (const workflowId of subscribers) {
    try {
      await getExternalWorkflowHandle(workflowId).signal(messageSignal, { mailboxId, message });
      alive.push(workflowId);
      result.forwarded++;
    } catch (err) {
      log.warn(`mailbox ${mailboxId}: run ${workflowId} no longer exists (${(err as Error).message}); message ${message.id} acknowledged`);
      result.dropped++;
    }
  }
  return alive;
}
