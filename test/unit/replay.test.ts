// Replay safety: the histories in test/fixtures/histories were recorded with the workflow code as it was
// (scripts/record-histories.ts: the seeds, child workflows, a failing child, dependsOn, a transfer, retries
// that run a step or a workflow, timeouts, a cancelled run, a run that continued as new; scripts/record-event-histories.ts:
// receive and send steps, a lost webhook's fallback poll, an early event, their correlation mailboxes). Each is replayed
// with the workflow bundle the worker uses; a change to the workflow code that would break a run in flight
// shows here as a nondeterminism error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { workflowBundle } from '../../src/worker';

const DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

test(`${files.length} recorded histories replay without nondeterminism`, async () => {
  assert.ok(files.length >= 10, 'the recorded histories are there');
  // each file: {workflowId, history} (the id matters: child workflow ids are derived from it)
  const histories = files.map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { workflowId: string; history: unknown });
  const failures: string[] = [];
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    replayed++;
    if (r.error) failures.push(`${r.workflowId}: ${r.error.name}: ${r.error.message}`);
  }
  assert.equal(replayed, files.length);
  assert.deepEqual(failures, []);
});
