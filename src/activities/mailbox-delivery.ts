// Delivering a received message to its correlation mailboxes with Signal-With-Start (src/workflows/mailbox.ts):
// the mailbox starts if it is not running, so an event that arrives before any run waits for it is kept. Used by
// the webhook receiver (src/webhooks/server.ts) and the worker's MQTT bridge (./mqtt-bridge.ts).
import type { Client } from '@temporalio/client';
import { DELIVER_SIGNAL, MAILBOX_WORKFLOW, SUBSCRIBE_SIGNAL, mailboxesFor, type ReceivedMessage } from '../core/asyncapi';
import type { PlanChannel } from '../core/plan';

/** Signal-With-Start the mailbox; returns the mailbox ids it went to (none: the message carries no correlation value). */
export async function deliverMessage(
  client: Client,
  taskQueue: string,
  channel: Pick<PlanChannel, 'address' | 'correlationLocations'>,
  message: ReceivedMessage,
): Promise<string[]> {
  const boxes = mailboxesFor(channel, message);
  for (const { mailboxId, key } of boxes) {
    await client.workflow.signalWithStart(MAILBOX_WORKFLOW, {
      workflowId: mailboxId,
      taskQueue,
      args: [{ channel: channel.address, key }],
      signal: DELIVER_SIGNAL,
      signalArgs: [message],
    });
  }
  return boxes.map((b) => b.mailboxId);
}

/** A run waits on a mailbox: Signal-With-Start it with the run's workflow id. */
export async function subscribeTo(
  client: Client,
  taskQueue: string,
  channel: PlanChannel,
  mailboxId: string,
  subscriber: string,
): Promise<void> {
  const key = mailboxId.slice(`arazzo-mailbox:${channel.address}:`.length);
  await client.workflow.signalWithStart(MAILBOX_WORKFLOW, {
    workflowId: mailboxId,
    taskQueue,
    args: [{ channel: channel.address, key }],
    signal: SUBSCRIBE_SIGNAL,
    signalArgs: [{ workflowId: subscriber }],
  });
}
