// Activities registered by the worker, each behind the last-resort guard (guard.ts). The workflow imports only their types.
import { guarded } from './guard';
import { cancelCreated as cancelCreatedUnguarded, runStep as runStepUnguarded } from './run-step';
import { prepareRun as prepareRunUnguarded } from './prepare-run';

export const runStep = guarded(runStepUnguarded);
export const cancelCreated = guarded(cancelCreatedUnguarded);
export const prepareRun = guarded(prepareRunUnguarded);
