// Continue-as-new keeps history bounded: a loop that spans three steps (increment → read → check → …) runs
// 150 times with continueAsNewAfter 30 and 10 ms loop waits against a tiny counter server. The run hands
// over to a new run every 30 step executions; every run's history stays under a computed bound; the state
// survives each hand-over (the counter id from before the loop, the per-step visit counts that make each
// increment's Idempotency-Key unique, the loop's last values) and reaches the final outputs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { startStack, waitFor, type Stack } from '../helpers/stack';

const DOCUMENT = join(PROJECT_ROOT, 'test', 'fixtures', 'loops', 'three-step-loop.arazzo.yaml');
const ITERATIONS = 150;
const CAN_AFTER = 30;

/** The counter service of test/fixtures/loops/counter-openapi.yaml; POSTs honour Idempotency-Key. */
async function startCounterServer() {
  const counters = new Map<string, { id: string; value: number; increments: number; reads: number; checks: number }>();
  const stored = new Map<string, string>();
  const log = { keys: [] as string[], replays: 0, requests: 0 };
  const server = http.createServer((req, res) => {
    log.requests++;
    const url = new URL(req.url ?? '/', 'http://counter');
    const key = req.headers['idempotency-key'] as string | undefined;
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      if (req.method === 'POST' && key) stored.set(`${url.pathname} ${key}`, `${status} ${text}`);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    };
    req.resume();
    if (req.method === 'POST' && key) {
      log.keys.push(key);
      const hit = stored.get(`${url.pathname} ${key}`);
      if (hit) {
        log.replays++;
        const [status, ...rest] = hit.split(' ');
        return void res.writeHead(Number(status), { 'content-type': 'application/json', 'idempotent-replayed': 'true' }).end(rest.join(' '));
      }
    }
    const m = /^\/counters(?:\/([^/]+))?(\/increment|\/check)?$/.exec(url.pathname);
    const c = m?.[1] ? counters.get(m[1]) : undefined;
    if (req.method === 'POST' && m && !m[1]) {
      const id = `ctr_${counters.size + 1}`;
      counters.set(id, { id, value: 0, increments: 0, reads: 0, checks: 0 });
      return send(201, counters.get(id));
    }
    if (!c) return send(404, { error: { message: 'no such counter' } });
    if (req.method === 'POST' && m?.[2] === '/increment') {
      c.value++;
      c.increments++;
      return send(200, c);
    }
    if (req.method === 'GET' && m?.[2] === '/check') {
      c.checks++;
      return send(200, { ...c, done: c.value >= Number(url.searchParams.get('target')) });
    }
    if (req.method === 'GET' && !m?.[2]) {
      c.reads++;
      return send(200, c);
    }
    send(404, { error: { message: 'not found' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

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
  assert.equal(new Set(counter.log.keys).size, 1 + ITERATIONS, 'every increment carried its own Idempotency-Key');
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
