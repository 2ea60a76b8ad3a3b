// Records the workflow histories that test/unit/replay.test.ts replays: the seeds, the child-workflow
// features of test/fixtures/spec-features (with their children), a cancelled run and a run that continues
// as new. Run it with `npx tsx scripts/record-histories.ts` when a new kind of history is worth keeping; the
// histories it wrote before a change to the workflow code are what proves the change replays.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { runSeeds } from '../src/dev/seeds';
import { PROJECT_ROOT } from '../src/temporal/dev-server';
import { startStack, waitFor } from '../test/helpers/stack';
import { startSpecApi } from '../test/helpers/spec-api';
import { startCounterServer } from '../test/helpers/counter-server';
import { seedRun } from '../test/helpers/runs';

const OUT = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');
const FEATURES = join(PROJECT_ROOT, 'test', 'fixtures', 'spec-features', 'main.arazzo.yaml');
const LOOP = join(PROJECT_ROOT, 'test', 'fixtures', 'loops', 'three-step-loop.arazzo.yaml');

async function main(): Promise<void> {
  const stack = await startStack();
  const api = await startSpecApi();
  const counter = await startCounterServer();
  try {
    await runSeeds(stack.client, stack.simulator.url, undefined, { poll: stack.poll });
    const features: [string, Record<string, unknown>][] = [
      ['checkout', { itemId: '7', qty: 3 }],
      ['crossDocument', { itemId: '4' }],
      ['childFailure', { itemId: 'missing', key: 'cf-missing' }],
      ['withDependencies', { itemId: '5', key: 'deps' }],
      ['transfer', { itemId: '2', key: 'transfer' }],
      ['retryWithStep', { key: 'rs' }],
      ['retryWithWorkflow', { key: 'rw' }],
      ['timeouts', { key: 'timeouts' }],
    ];
    for (const [workflowId, inputs] of features) {
      const s = await stack.client.start({
        document: FEATURES,
        workflowId,
        inputs,
        servers: { api: api.url, 'shared.catalog': api.url },
        poll: stack.poll,
      });
      await s.handle.result().catch(() => undefined);
    }
    // a failing child with no failure action fails the run
    const failing = await stack.client.start({
      document: FEATURES,
      workflowId: 'checkout',
      inputs: { itemId: 'missing', qty: 1 },
      servers: { api: api.url },
      poll: stack.poll,
    });
    await failing.handle.result().catch(() => undefined);

    // cancelled mid-poll: the create step's cancel operation runs
    stack.simulator.setTiming({ batchValidatingMs: 60_000, batchCancellingMs: 1500 });
    const cancelled = await stack.client.start(seedRun('openai-batch-job', stack.simulator.url, { id: 'cancelled-batch-job' }));
    await waitFor(
      'two polls',
      () => stack.simulator.requests.filter((r) => r.method === 'GET' && /^\/v1\/batches\/batch_/.test(r.path)).length >= 2,
      30_000,
      20,
    );
    await stack.client.cancel(cancelled.workflowId);
    await cancelled.handle.result().catch(() => undefined);

    // continue-as-new: a three-step loop handing over every 10 step runs
    const loop = await stack.client.start({
      document: LOOP,
      id: 'loop-continue-as-new',
      inputs: { target: 8 },
      servers: { counterApi: counter.url },
      options: { continueAsNewAfter: 10, maxStepRuns: 100 },
    });
    await loop.handle.result();

    mkdirSync(OUT, { recursive: true });
    let n = 0;
    for await (const wf of stack.client.client.workflow.list()) {
      if (wf.status.name === 'RUNNING') continue;
      const history = await stack.client.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const name = `${wf.workflowId}--${wf.runId.slice(-8)}`.replace(/[^A-Za-z0-9._-]+/g, '_');
      writeFileSync(join(OUT, `${name}.json`), `{"workflowId":${JSON.stringify(wf.workflowId)},"history":${historyToJSON(history)}}\n`);
      n++;
    }
    console.log(`wrote ${n} histories to ${OUT}`);
  } finally {
    await counter.close();
    await api.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
