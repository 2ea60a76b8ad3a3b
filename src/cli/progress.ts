// A progress line for `run` on a terminal: which step the run is at, how often it has polled, and the job's
// normalized status and counts (x-temporal-status). It reads the run's state through the workflow's `progress` query
// and the pending activity's attempt.
import { SingleBar, Presets } from 'cli-progress';
import type { WorkflowHandle } from '@temporalio/client';
import { describeStatus } from '../core/batch-status';
import type { Plan } from '../core/types';
import type { ArazzoRunResult, arazzoWorkflow } from '../workflows/arazzo-workflow';
import { progressQuery } from '../workflows/queries';

export { describeStatus };

/** ` · batch in_progress, 0/3 requests completed, 0 failed`, or nothing when the run has no normalized status. */
export function statusText(p: { batchStatus?: string; requestCounts?: { total: number; completed: number; failed: number } }): string {
  return p.batchStatus ? ` · batch ${describeStatus({ batchStatus: p.batchStatus, requestCounts: p.requestCounts })}` : '';
}

export async function watchRun(
  handle: WorkflowHandle<typeof arazzoWorkflow>,
  plan: Plan,
  opts: { show: boolean; intervalMs?: number },
): Promise<ArazzoRunResult> {
  if (!opts.show) return handle.result();
  const bar = new SingleBar(
    { format: '{bar} {value}/{total} steps · {step} {attempt}{status}', hideCursor: true, clearOnComplete: true, stream: process.stderr },
    Presets.shades_classic,
  );
  bar.start(plan.steps.length, 0, { step: plan.steps[0]?.stepId ?? '', attempt: '', status: '' });
  const timer = setInterval(async () => {
    try {
      const [p, d] = await Promise.all([handle.query(progressQuery), handle.describe()]);
      const attempt = d.raw.pendingActivities?.[0]?.attempt ?? 0;
      const waiting = p.outcomeUnknown
        ? `— OUTCOME UNKNOWN, waiting for: arazzo-temporal resolve ${handle.workflowId} --step ${p.outcomeUnknown.stepId} --use-id <id> | --resend`
        : '';
      bar.update(p.index, { step: p.stepId ?? '', attempt: waiting || (attempt > 1 ? `(attempt ${attempt})` : ''), status: statusText(p) });
    } catch {
      /* no worker yet, or the run just ended */
    }
  }, opts.intervalMs ?? 1000);
  try {
    return await handle.result();
  } finally {
    clearInterval(timer);
    bar.stop();
  }
}
