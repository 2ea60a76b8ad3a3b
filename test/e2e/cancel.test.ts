// Cancellation cleans up: a run cancelled while it polls ends as cancelled, calls its create step's
// x-temporal-cancel operation exactly once (the provider shows the job cancelling/cancelled), and polls no
// more. A run cancelled before its create step ran calls no cancel operation; a run cancelled while its
// create request is in flight still cancels what that request created.
import { after, before, beforeEach, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { assertCancelled, at, delay, requestsTo, seedRun, type SeedName } from '../helpers/runs';
import { startStack, waitFor, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack?.stop());
beforeEach(() => {
  stack.simulator.setFaults({});
  stack.simulator.setTiming('fast');
  stack.simulator.reset();
});

const POLL_MS = 250;
const start = (name: SeedName) => stack.client.start(seedRun(name, stack.simulator.url, { poll: { initialIntervalMs: POLL_MS, maxIntervalMs: POLL_MS } }));

/**
 * Start `name`, wait for `polls` GETs of the created object, cancel, and check: the run ends cancelled, one
 * cancel request, no poll after it (waiting several poll intervals). Returns the created object's id.
 */
async function cancelWhilePolling(t: TestContext, name: SeedName, pollPath: RegExp, cancelPath: RegExp): Promise<string> {
  const t0 = Date.now();
  const started = await start(name);
  const polls = () => requestsTo(stack.simulator, 'GET', pollPath);
  await waitFor('two polls', () => polls().length >= 2, 20_000, 20);
  const t1 = Date.now();
  await stack.client.cancel(started.workflowId);
  await assert.rejects(started.handle.result(), assertCancelled);
  t.diagnostic(`two polls after ${t1 - t0} ms; cancelled ${Date.now() - t1} ms after the cancel request`);

  const cancels = requestsTo(stack.simulator, 'POST', cancelPath);
  assert.equal(cancels.length, 1, `expected one cancel request, saw ${JSON.stringify(cancels)}`);
  assert.equal(cancels[0].status, 200);
  const id = cancelPath.exec(cancels[0].path)?.[1] as string;
  assert.ok(polls().every((p) => p.path.includes(id)), 'the polls and the cancel name the same object');

  const pollsAtClose = polls().length;
  await delay(5 * POLL_MS + 1000);
  const late = polls().filter((p) => at(p) > at(cancels[0]));
  assert.deepEqual(late, [], 'no poll arrives after the cancel request');
  assert.equal(polls().length, pollsAtClose, 'no poll arrives after the run closed');
  return id;
}

test('OpenAI batch job: cancelled mid-poll → run cancelled, one POST /v1/batches/{id}/cancel, batch cancelling/cancelled, polls stop', async (t) => {
  stack.simulator.setTiming({ batchValidatingMs: 60_000, batchCancellingMs: 1500 });
  const id = await cancelWhilePolling(t, 'openai-batch-job', /^\/v1\/batches\/batch_[^/]+$/, /^\/v1\/batches\/(batch_[^/]+)\/cancel$/);
  const batch = stack.simulator.state.batches().find((b) => b.id === id);
  assert.ok(batch && ['cancelling', 'cancelled'].includes(batch.status), `batch status ${batch?.status}`);
  assert.equal(stack.simulator.state.batches().length, 1);
});

test('OpenAI fine-tuning job: cancelled mid-poll → job cancelled, one cancel request, polls stop', async (t) => {
  stack.simulator.setTiming({ fineTuneValidatingMs: 60_000 });
  const id = await cancelWhilePolling(t, 'openai-fine-tuning-job', /^\/v1\/fine_tuning\/jobs\/ftjob-[^/]+$/, /^\/v1\/fine_tuning\/jobs\/(ftjob-[^/]+)\/cancel$/);
  const job = stack.simulator.state.fineTuningJobs().find((j) => j.id === id);
  assert.equal(job?.status, 'cancelled');
});

test('Anthropic message batch: cancelled mid-poll → batch canceling/ended with its requests canceled, one cancel request, polls stop', async (t) => {
  stack.simulator.setTiming({ messageBatchInProgressMs: 60_000, messageBatchCancelingMs: 1500 });
  const id = await cancelWhilePolling(t, 'anthropic-batch-create-poll-results', /^\/v1\/messages\/batches\/msgbatch_[^/]+$/, /^\/v1\/messages\/batches\/(msgbatch_[^/]+)\/cancel$/);
  const batch = stack.simulator.state.messageBatches().find((b) => b.id === id);
  assert.ok(batch && ['canceling', 'ended'].includes(batch.processing_status), `processing_status ${batch?.processing_status}`);
  assert.ok(batch?.cancel_initiated_at, 'the batch records the cancel');
  await waitFor('the batch to end', () => stack.simulator.state.messageBatches()[0].processing_status === 'ended', 5000);
  assert.equal(stack.simulator.state.messageBatches()[0].request_counts.canceled, 2);
});

test('a run cancelled before its create step ran calls no cancel operation', async () => {
  // the upload (the step before the create) answers after 3 s; cancel while it is in flight
  stack.simulator.setFaults({ rules: [{ kind: 'slow', method: 'POST', path: '^/v1/files$', times: 1, delayMs: 3000 }] });
  const started = await start('openai-batch-job');
  await waitFor('the upload request', () => stack.simulator.count('POST', '/v1/files') >= 1, 20_000, 20);
  await stack.client.cancel(started.workflowId);
  await assert.rejects(started.handle.result(), assertCancelled);
  await delay(3500); // past the slow upload's answer
  assert.equal(stack.simulator.count('POST', '/v1/batches'), 0, 'the create step never ran');
  assert.equal(stack.simulator.count('POST', /\/cancel$/), 0, 'nothing was created, so nothing is cancelled');
  assert.equal(stack.simulator.count('GET', /^\/v1\/batches/), 0);
  assert.equal(stack.simulator.state.batches().length, 0);
});

test('a run cancelled while its create request is in flight still cancels what that request created', async () => {
  stack.simulator.setTiming({ batchValidatingMs: 60_000, batchCancellingMs: 1500 });
  stack.simulator.setFaults({ rules: [{ kind: 'slow', method: 'POST', path: '^/v1/batches$', times: 1, delayMs: 2000 }] });
  const started = await start('openai-batch-job');
  await waitFor('the create request', () => stack.simulator.count('POST', '/v1/batches') >= 1, 20_000, 20);
  await stack.client.cancel(started.workflowId);
  await assert.rejects(started.handle.result(), assertCancelled);
  await delay(2500); // past the slow create's answer
  const batches = stack.simulator.state.batches();
  assert.equal(batches.length, 1, 'the create went through at the provider');
  assert.ok(['cancelling', 'cancelled'].includes(batches[0].status), `the batch the run created was left ${batches[0].status}`);
  assert.equal(stack.simulator.count('POST', `/v1/batches/${batches[0].id}/cancel`), 1);
  assert.equal(stack.simulator.count('GET', /^\/v1\/batches\/batch_/), 0, 'no poll after the cancel');
});
