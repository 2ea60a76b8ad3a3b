// The activities of AsyncAPI steps: sendMessage publishes a send step's message (MQTT servers through the worker's
// MQTT client; http/https servers as a POST of the payload to the channel's address); subscribeMailbox subscribes
// a waiting receive step's run to its correlation mailbox, and for an MQTT channel first listens on its topic.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import axios from 'axios';
import type { SendMessageInput, SubscribeInput } from '../core/contract';
import { evaluateValue } from '../core/expr';
import { listen, publish } from './mqtt-bridge';
import { subscribeTo } from './mailbox-delivery';
import { resolveSecrets } from './secrets';
import { OUTBOUND_REFUSED, OutboundPolicy } from './outbound-policy';

const isMqtt = (protocol: string | undefined) => /^(mqtts?|wss?)$/.test(protocol ?? '');

function evaluated<T>(value: T, ctx: SendMessageInput['context'], step: SendMessageInput['step']): T {
  try {
    return resolveSecrets(evaluateValue(value, ctx, { templates: step.expressions }) as T);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`step ${step.stepId}: ${(err as Error).message}`, 'ArazzoExpressionError');
  }
}

export async function sendMessage(input: SendMessageInput): Promise<{ messageId: string }> {
  const { step, context, messageId } = input;
  const server = step.channel.server;
  if (!server)
    throw ApplicationFailure.nonRetryable(
      `step ${step.stepId}: channel ${step.channel.name} has no server to send to (add one, or --server ${step.channel.source}=<url>)`,
      'ArazzoRequestError',
    );
  const payload = evaluated(step.payload, context, step);
  const headers = Object.fromEntries(
    step.parameters.filter((p) => p.in === 'header').map((p) => [p.name, String(evaluated(p.value, context, step))]),
  );
  if (isMqtt(server.protocol)) {
    await listen(Context.current().client, input.taskQueue, input.listen);
    await publish(server.url, step.channel.address, payload);
  } else if (/^https?$/.test(server.protocol)) {
    const url = `${server.url.replace(/\/+$/, '')}/${step.channel.address.replace(/^\/+/, '')}`;
    // the outbound policy of HTTP steps (its host and address checks; not re-checked at connect time here)
    const refused = new OutboundPolicy([server.url]).urlProblem(url);
    if (refused)
      throw ApplicationFailure.nonRetryable(
        `step ${step.stepId}: message refused by the outbound policy, not sent: ${refused}`,
        OUTBOUND_REFUSED,
      );
    await axios.post(url, payload, {
      headers: { 'content-type': step.contentType ?? 'application/json', 'message-id': messageId, ...headers },
      timeout: 30_000,
      maxRedirects: 0,
    });
  } else {
    throw ApplicationFailure.nonRetryable(
      `step ${step.stepId}: sending on a ${server.protocol} server is not supported (mqtt, http, https are)`,
      'ArazzoRequestError',
    );
  }
  return { messageId };
}

export async function subscribeMailbox(input: SubscribeInput): Promise<void> {
  const client = Context.current().client;
  if (isMqtt(input.channel.server?.protocol)) await listen(client, input.taskQueue, [input.channel]);
  await subscribeTo(client, input.taskQueue, input.channel, input.mailboxId, input.subscriber);
}
