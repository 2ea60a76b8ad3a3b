// Activities registered by the worker, each behind the last-resort guard (guard.ts). The workflow knows them only as StepActivities (src/core/contract.ts).
import type { StepActivities } from '../core/contract';
import { guarded } from './guard';
import { cancelCreated as cancelCreatedUnguarded, runStep as runStepUnguarded } from './run-step';

export const runStep = guarded(runStepUnguarded);
export const cancelCreated = guarded(cancelCreatedUnguarded);

// the activities implement what the workflow calls (src/core/contract.ts)
const implementsContract: StepActivities = { runStep, cancelCreated };
void implementsContract;
