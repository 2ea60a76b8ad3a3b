// The progress view of a run (`run` on a terminal, `watch`, `status --watch`): a bar of the batch's requests done
// (request_counts completed + failed of total) when its steps declare x-temporal-status, else of the steps, with the
// step, the provider status and the time to the next poll. It reads the run's live status (src/status-client.ts:
// the workflow's `status` query and the pending poll's heartbeat). Off a terminal it prints plain lines, one each
// time the status changes.
import { SingleBar, Presets } from 'cli-progress';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { describeStatus } from '../core/batch-status';
import { countsProgress, statusLine, type LiveStatus } from '../core/run-status';
import { maskSecrets } from '../core/mask';
import type { ArazzoRunResult, arazzoWorkflow } from '../workflows/arazzo-workflow';
import { runStatus } from '../status-client';

export { describeStatus };

/** ` · batch in_progress, 0/3 requests completed, 0 failed`, or nothing when the run has no normalized status. */
export function statusText(p: { batchStatus?: string; requestCounts?: { total: number; completed: number; failed: number } }): string {
  return p.batchStatus ? ` · batch ${describeStatus({ batchStatus: p.batchStatus, requestCounts: p.requestCounts })}` : '';
}

/** The bar's value and total: requests done of the batch's total when known, else steps. */
export function barOf(s: LiveStatus): { value: number; total: number; unit: string } {
  const c = countsProgress(s.requestCounts);
  return c ? { value: c.done, total: c.total, unit: 'requests' } : { value: Math.min(s.stepIndex, s.steps), total: s.steps, unit: 'steps' };
}

function lineOf(s: LiveStatus, workflowId: string): string {
  const line = statusLine(s, Date.now());
  return s.outcomeUnknown
    ? `${line} — run: arazzo-temporal resolve ${workflowId} --step ${s.outcomeUnknown.stepId} --use-id <id> | --resend`
    : line;
}

export interface WatchOptions {
  /** show anything at all (off: just wait for the result) */
  show: boolean;
  /** plain lines instead of a bar (default: when stderr is not a terminal) */
  plain?: boolean;
  intervalMs?: number;
  out?: NodeJS.WritableStream;
}

/** A view that takes each status read: a bar redrawn in place, or a plain line when the status changed. */
function view(workflowId: string, opts: WatchOptions): { update(s: LiveStatus): void; stop(): void } {
  const out = opts.out ?? process.stderr;
  if (opts.plain ?? !process.stderr.isTTY) {
    let last = '';
    return {
      update(s) {
        // the countdown changes every second: a new line only when something else did
        const line = lineOf({ ...s, nextPollAt: undefined }, workflowId);
        if (line === last) return;
        last = line;
        out.write(maskSecrets(`${new Date().toISOString()} ${lineOf(s, workflowId)}\n`));
      },
      stop() {},
    };
  }
  const bar = new SingleBar(
    { format: '{bar} {value}/{total} {unit} · {line}', hideCursor: true, clearOnComplete: true, stream: out, linewrap: false },
    Presets.shades_classic,
  );
  bar.start(1, 0, { unit: 'steps', line: 'starting' });
  return {
    update(s) {
      const b = barOf(s);
      bar.setTotal(b.total);
      bar.update(b.value, { unit: b.unit, line: maskSecrets(lineOf(s, workflowId)) });
    },
    stop: () => bar.stop(),
  };
}

/** Show the run's progress until it closes; resolves with its result (rejects as handle.result() does). */
export async function watchRun(
  client: Client,
  handle: WorkflowHandle<typeof arazzoWorkflow>,
  opts: WatchOptions,
): Promise<ArazzoRunResult> {
  if (!opts.show) return handle.result();
  const v = view(handle.workflowId, opts);
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      v.update(await runStatus(client, handle.workflowId, 5000));
    } catch {
      /* no worker yet, or the run just ended */
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(tick, opts.intervalMs ?? 1000);
  try {
    return await handle.result();
  } finally {
    clearInterval(timer);
    v.stop();
  }
}
