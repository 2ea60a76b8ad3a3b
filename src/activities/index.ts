// Activities registered by the worker, each behind the last-resort guard (guard.ts). The workflow knows them only as StepActivities (src/core/contract.ts).
import type { MessageActivities, PrepareActivities, StepActivities, XPathActivities } from '../core/contract';
import { guarded } from './guard';
import { withStepSpan } from './step-span';
import { useXPath } from './xpath';
import { cancelCreated as cancelCreatedUnguarded, runStep as runStepUnguarded } from './run-step';
import { prepareRun as prepareRunUnguarded } from './prepare-run';
import { selectXPath as selectXPathUnguarded } from './select-xpath';
import { sendMessage as sendMessageUnguarded, subscribeMailbox as subscribeMailboxUnguarded } from './async-messages';

// the step activity evaluates xpath criteria: the engine lives here, outside the workflow bundle
useXPath();

// one trace span per step execution when the worker traces (step-span.ts), around what the guard lets out
export const runStep = withStepSpan(guarded(runStepUnguarded));
export const cancelCreated = guarded(cancelCreatedUnguarded);
export const prepareRun = guarded(prepareRunUnguarded);
export const sendMessage = guarded(sendMessageUnguarded);
export const subscribeMailbox = guarded(subscribeMailboxUnguarded);
export const selectXPath = guarded(selectXPathUnguarded);

// the activities implement what the workflow calls (src/core/contract.ts)
const implementsContract: StepActivities & PrepareActivities & MessageActivities & XPathActivities = {
  runStep,
  cancelCreated,
  prepareRun,
  sendMessage,
  subscribeMailbox,
  selectXPath,
};
void implementsContract;
