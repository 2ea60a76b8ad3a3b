// Continue-as-new keeps history bounded: a loop that spans three steps (increment → read → check → …) runs
// 150 times with continueAsNewAfter 30 and 10 ms loop waits against a tiny counter server. The run hands
// over to a new run every 30 step executions; every run's history stays under a computed bound; the state
// survives each hand-over (the counter id from before the loop, the per-step visit counts that make each
// increment's Idempotency-Key unique, the loop's last values) and reaches the final outputs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { startCounterServer } from '../helpers/counter-server';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { startStack, waitFor, type Stack } from '../helpers/stack';

const DOCUMENT = join(PROJECT_ROOT, 'test', 'fixtures', 'loops', 'three-step-loop.arazzo.yaml');
const ITERATIONS = 150;
const CAN_AFTER = 30;


let stack: Stack;
let counter: Awaited<ReturnType<typeof startCounterServer>>;
before(async () => {
  // The dev server fires a timer up to history.timerProcessorMaxTimeShift (default 1 s) late: 150 loop
  // waits of 10 ms would cost 150 s. Timers on time keep this file well under two minutes.
  stack = await startStack({ dynamicConfig: { 'history.timerProcessorMaxTimeShift': '10ms' } });
  counter = await startCounterServer();
});
after(async () => {
  await counter?.close();
  await stack?.stop();
});

test(`a three-step loop run ${ITERATIONS} times continues as new every ${CAN_AFTER} steps; history stays bounded; state survives`, async (t) => {
  const t0 = Date.now();
  const started = await stack.client.start({
    document: DOCUMENT,
    inputs: { target: ITERATIONS },
    servers: { counterApi: counter.url },
    // maxStepRuns: a run that lost its state would loop for ever (a reused key replays the same value)
    options: { continueAsNewAfter: CAN_AFTER, maxStepRuns: 4 * ITERATIONS },
  });
  const result = await started.handle.result();
  const elapsed = Date.now() - t0;

  // the outputs carry the loop's last values and the counters: state survived every hand-over
  const stepRuns = 1 + 3 * ITERATIONS + 1; // createCounter, the loop, summary
  assert.deepEqual(result.outputs, {
    counterId: 'ctr_1',
    value: ITERATIONS,
    increments: ITERATIONS,
    reads: ITERATIONS + 1, // the loop's reads and the summary's
    checks: ITERATIONS,
    lastIncrement: ITERATIONS,
    lastRead: ITERATIONS,
    lastReads: ITERATIONS,
    lastChecks: ITERATIONS,
  });
  assert.equal(result.stepRuns, stepRuns, 'the step count is carried across runs');
  assert.equal(result.endedBy.stepId, 'summary');
  assert.equal(counter.log.replays, 0, 'no Idempotency-Key was reused');
  assert.equal(counter.log.keys.size, 1 + ITERATIONS, 'every increment carried its own Idempotency-Key');
  assert.equal(counter.log.requests, stepRuns);

  // follow the chain backwards from the last run through continuedExecutionRunId
  const wf = stack.client.client.workflow;
  const runs: { runId: string; events: temporal.api.history.v1.IHistoryEvent[] }[] = [];
  let runId: string | undefined = (await started.handle.describe()).runId;
  while (runId) {
    const events: temporal.api.history.v1.IHistoryEvent[] = (await wf.getHandle(started.workflowId, runId).fetchHistory()).events ?? [];
    runs.unshift({ runId, events });
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  assert.equal(runs.length, Math.ceil(stepRuns / CAN_AFTER), `a run of ${stepRuns} steps with continueAsNewAfter ${CAN_AFTER}`);
  assert.equal(runs[0].runId, (started.handle as WorkflowHandleWithFirstExecutionRunId).firstExecutionRunId, 'the chain starts at the run that was started');
  for (const [i, run] of runs.entries()) {
    const last = run.events[run.events.length - 1];
    if (i < runs.length - 1) assert.ok(last.workflowExecutionContinuedAsNewEventAttributes, `run ${i + 1} ends by continuing as new`);
    else assert.ok(last.workflowExecutionCompletedEventAttributes, 'the last run completes');
  }
  // the visibility store lists the same chain
  const listed = await waitFor(
    'every run listed',
    async () => {
      const ids: string[] = [];
      for await (const w of wf.list({ query: `WorkflowId = '${started.workflowId}'` })) ids.push(w.runId);
      return ids.length === runs.length ? ids : undefined;
    },
    10_000,
    250,
  );
  assert.deepEqual(new Set(listed), new Set(runs.map((r) => r.runId)));

  // Bound per run: a step costs at most 3 activity events (scheduled, started, completed) and 3 workflow-task
  // events; a goto back adds a timer (started, fired) and another workflow task (3): 11 per step, plus the
  // start, the first workflow task and the closing event. Without continue-as-new the one history would hold
  // thousands of events.
  const bound = CAN_AFTER * 11 + 10;
  const sizes = runs.map((r) => r.events.length);
  t.diagnostic(`${runs.length} runs, history lengths ${sizes.join(', ')} (bound ${bound}); ${stepRuns} steps in ${elapsed} ms`);
  for (const [i, n] of sizes.entries()) assert.ok(n < bound, `run ${i + 1} has ${n} history events, over the bound ${bound}`);
  assert.ok(sizes.reduce((a, b) => a + b, 0) > 2 * bound, 'the whole chain is far larger than any one run');
});
