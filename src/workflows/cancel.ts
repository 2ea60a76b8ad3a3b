// Cancellation: what the run created is stopped with each create step's x-temporal-cancel operation,
// newest first, in a scope the cancel itself does not interrupt.
import { CancellationScope, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { NON_RETRYABLE_ERRORS, type StepActivities } from '../core/contract';
import { stepLabel } from '../core/plan';
import { contextFor } from './context';
import type { Run } from './run';

/** Stop what the run created, newest first. Failures are logged: the run is ending as cancelled anyway. */
export function cancelCreated(run: Run): Promise<void> {
  return CancellationScope.nonCancellable(async () => {
    for (const stepId of [...run.state.cancelable].reverse()) {
      const step = run.plan.steps.find((s) => s.stepId === stepId);
      const cancel = step?.kind === 'operation' ? step.cancel : undefined;
      if (!cancel) continue;
      const act = proxyActivities<StepActivities>({
        summary: `cancel ${stepLabel(cancel)}`,
        taskQueue: run.options.activityTaskQueue,
        startToCloseTimeout: '1m',
        scheduleToCloseTimeout: '10m',
        // a 409 Conflict on a cancel says the object is in a state that cannot be cancelled (it has ended): final
        retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS, 'ArazzoHttp409'] },
      });
      try {
        const res = await act.cancelCreated({
          stepId,
          step: cancel,
          context: contextFor(cancel, run),
          idempotencyKey: `${workflowInfo().workflowId}/${cancel.stepId}/1`,
        });
        if (res.statusCode >= 400)
          log.warn(
            `the cancel of what step ${stepId} created was refused: HTTP ${res.statusCode}${res.body ? ` — ${String(res.body)}` : ''}`,
          );
        else log.info(`cancelled what step ${stepId} created: HTTP ${res.statusCode}`);
      } catch (err) {
        const cause = (err as { cause?: Error }).cause?.message; // the activity's own message (the HTTP status and the provider's words)
        log.warn(`could not cancel what step ${stepId} created: ${cause ?? (err as Error).message}`);
      }
    }
  });
}
