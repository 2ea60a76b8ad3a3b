// AsyncAPI steps in the workflow. A send step publishes through the sendMessage activity and is judged here. A
// receive step computes its correlation key (the channel's address and the value of its correlationId), subscribes
// its run to that key's mailbox (src/workflows/mailbox.ts) through an activity, and waits with condition() up to
// the step's timeout for the mailbox to forward a message (`arazzo.message`); `$message.header` and
// `$message.payload` are then what its criteria, outputs and actions read. Messages forwarded while no step waits
// stay in the run's inbox (carried over by continue-as-new) for the next receive on that mailbox.
import { ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { mailboxId, type ReceivedMessage } from '../core/asyncapi';
import type { MessageActivities, StepOutcome } from '../core/contract';
import { formatDuration } from '../core/durations';
import { evaluateValue } from '../core/expr';
import { stepLabel, type PlanChannel, type ReceiveStep, type SendStep } from '../core/plan';
import { contextFor } from './context';
import { messageSignal } from './mailbox';
import { fullContext, type Run } from './run';
import type { InterpreterState } from './state';
import { judge, judgedOutcome } from './steps';
import { judgedValues, withXPathAnswers } from './xpath-selections';

const SEEN_LIMIT = 200;

/** The run takes in what mailboxes forward: once per message id, into its inbox. */
export function useMessages(state: InterpreterState): void {
  setHandler(messageSignal, ({ mailboxId: box, message }) => {
    const seen = (state.seenMessages ??= []);
    if (seen.includes(message.id)) return;
    state.seenMessages = [...seen, message.id].slice(-SEEN_LIMIT);
    ((state.inbox ??= {})[box] ??= []).push(message);
  });
}

function messageActivities(run: Run, step: SendStep | ReceiveStep) {
  return proxyActivities<MessageActivities>({
    summary: stepLabel(step),
    taskQueue: run.options.activityTaskQueue,
    startToCloseTimeout: '1m',
    retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['ArazzoExpressionError', 'ArazzoSecretError'] },
  });
}

/** The MQTT channels the run's receive steps use: the worker listens on them before a send step publishes. */
const mqttReceiveChannels = (run: Run): PlanChannel[] =>
  run.plan.steps.flatMap((s) => (s.kind === 'receive' && /^mqtts?$|^wss?$/.test(s.channel.server?.protocol ?? '') ? [s.channel] : []));

export async function runSendStep(run: Run, step: SendStep, visit: number, exhausted: string[]): Promise<StepOutcome> {
  const started = Date.now();
  const messageId = `${workflowInfo().workflowId}/${step.stepId}/${visit}`;
  await messageActivities(run, step).sendMessage({
    step,
    context: contextFor(step, run),
    messageId,
    listen: mqttReceiveChannels(run),
    taskQueue: workflowInfo().taskQueue,
  });
  const ctx = await withXPathAnswers(judgedValues(step), fullContext(run));
  return judgedOutcome(step, judge(step, ctx, exhausted, false), Date.now() - started);
}

/** The correlation value of a receive step; `*` when it has no correlationId (any message on the channel). */
function correlationKey(run: Run, step: ReceiveStep): string {
  if (step.correlationId === undefined) return '*';
  const value = evaluateValue(step.correlationId, fullContext(run), { templates: step.expressions });
  if (value === undefined || value === null || value === '' || typeof value === 'object')
    throw ApplicationFailure.nonRetryable(
      `step ${step.stepId}: correlationId ${step.correlationId} evaluated to ${JSON.stringify(value) ?? 'nothing'}; a receive step needs a text or number to wait for`,
      'ArazzoExpressionError',
    );
  return String(value);
}

export async function runReceiveStep(run: Run, step: ReceiveStep, _visit: number, exhausted: string[]): Promise<StepOutcome> {
  const started = Date.now();
  const key = correlationKey(run, step);
  const box = mailboxId(step.channel.address, key);
  const inbox = (run.state.inbox ??= {});
  const waiting = () => (inbox[box]?.length ?? 0) > 0;
  if (!waiting()) {
    await messageActivities(run, step).subscribeMailbox({
      mailboxId: box,
      channel: step.channel,
      subscriber: workflowInfo().workflowId,
      taskQueue: workflowInfo().taskQueue,
    });
    if (step.timeoutMs === undefined) await condition(waiting);
    else await condition(waiting, step.timeoutMs);
  }
  const message: ReceivedMessage | undefined = inbox[box]?.shift();
  if (inbox[box]?.length === 0) delete inbox[box];
  if (!message) {
    const why = `no message on channel ${step.channel.address} for correlationId ${key} within ${formatDuration(step.timeoutMs ?? 0)} (step timeout)`;
    const ctx = await withXPathAnswers(judgedValues(step), fullContext(run));
    return {
      ...judgedOutcome(step, judge(step, ctx, exhausted, true), Date.now() - started, why),
      success: false,
      failedCriteria: [],
    };
  }
  const ctx = await withXPathAnswers(judgedValues(step), {
    ...fullContext(run),
    message: { header: message.header, payload: message.payload },
  });
  return judgedOutcome(step, judge(step, ctx, exhausted, false), Date.now() - started);
}
