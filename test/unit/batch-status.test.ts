// x-temporal-status: the declared mappings of the Bifrost, OpenAI and Anthropic seeds (their overlays) against every
// value of the seed's BatchStatus enum, and the compile checks of the extension.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BATCH_STATUSES, compileStatus, evaluateStatus, type PlanStatus } from '../../src/core/batch-status';
import { prepareDocument } from '../../src/load/prepare';
import { seedOverlays } from '../../src/dev/seeds';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { operationStep } from '../helpers/plan';

const SEED_ENUM: string[] = parse(readFileSync(join(PROJECT_ROOT, '..', 'shared', 'seeds', 'bifrost-batch-schema.yaml'), 'utf8'))
  .BatchStatus.enum;

async function statusOf(seed: string, stepId: string): Promise<PlanStatus> {
  const { plan } = await prepareDocument(join(PROJECT_ROOT, 'arazzo', `${seed}.arazzo.yaml`), { overlays: seedOverlays(seed) });
  const status = operationStep(plan.steps.find((s) => s.stepId === stepId)).status;
  assert.ok(status, `${seed} step ${stepId} declares x-temporal-status`);
  return status;
}

const read = (spec: PlanStatus, body: unknown) =>
  evaluateStatus(spec, { inputs: {}, steps: {}, statusCode: 200, response: { header: {}, body } }, 'poll');

test('the vocabulary is the seed schema BatchStatus enum, in its order', () => {
  assert.deepEqual([...BATCH_STATUSES], SEED_ENUM);
});

test('Bifrost: every BatchStatus maps to itself; cancelled (what the pinned code sends) to canceled; counts read as sent', async () => {
  for (const stepId of ['createBatch', 'pollBatch']) {
    const spec = await statusOf('bifrost-batch', stepId);
    for (const value of SEED_ENUM) {
      const s = read(spec, { status: value, request_counts: { total: 3, completed: 2, failed: 1 } });
      assert.deepEqual(
        s,
        { batchStatus: value, rawStatus: value, requestCounts: { total: 3, completed: 2, failed: 1 }, stepId: 'poll' },
        value,
      );
    }
    assert.equal(read(spec, { status: 'cancelled' })?.batchStatus, 'canceled');
    assert.deepEqual(read(spec, { status: 'cancelled' })?.requestCounts, { total: 0, completed: 0, failed: 0 }, 'missing counts count 0');
  }
});

test('OpenAI: each Batch.status lands on the vocabulary (cancelled → canceled); the counts are request_counts', async () => {
  const spec = await statusOf('openai-batch-job', 'pollBatch');
  const openai = ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'];
  const got = openai.map((v) => read(spec, { status: v })?.batchStatus);
  assert.deepEqual(got, ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'canceled']);
  for (const g of got) assert.ok(SEED_ENUM.includes(g!), `${g} is a BatchStatus`);
  assert.deepEqual(read(spec, { status: 'completed', request_counts: { total: 4, completed: 3, failed: 1 } })?.requestCounts, {
    total: 4,
    completed: 3,
    failed: 1,
  });
  assert.ok((await statusOf('openai-batch-job', 'createBatch')) && (await statusOf('openai-batch-job', 'getResult')));
});

test('Anthropic: in_progress, canceling → cancelling, ended; counts as Bifrost maps them (total of five, succeeded, errored)', async () => {
  const spec = await statusOf('anthropic-batch-create-poll-results', 'pollBatch');
  assert.deepEqual(
    ['in_progress', 'canceling', 'ended'].map((v) => read(spec, { processing_status: v })?.batchStatus),
    ['in_progress', 'cancelling', 'ended'],
  );
  const counts = { processing: 1, succeeded: 2, errored: 3, canceled: 4, expired: 5 };
  assert.deepEqual(read(spec, { processing_status: 'ended', request_counts: counts })?.requestCounts, {
    total: 15,
    completed: 2,
    failed: 3,
  });
});

test('evaluation: an unmapped word passes through as it is; a response without a status word changes nothing', () => {
  const spec: PlanStatus = { status: '$response.body#/state', map: { RUNNING: 'in_progress' } };
  assert.equal(read(spec, { state: 'RUNNING' })?.batchStatus, 'in_progress');
  assert.deepEqual(read(spec, { state: 'SOMETHING_NEW' }), { batchStatus: 'SOMETHING_NEW', rawStatus: 'SOMETHING_NEW', stepId: 'poll' });
  assert.equal(read(spec, { error: { message: 'nope' } }), undefined);
  assert.equal(read(spec, { state: 7 }), undefined);
});

test('compile: a map onto a word outside the vocabulary, an unknown count, a bad expression are errors at their path', () => {
  const problems: [string, (string | number)[]][] = [];
  const report = (m: string, p: (string | number)[]) => problems.push([m, p]);
  const at = ['workflows', 0, 'steps', 1, 'x-temporal-status'];
  const out = compileStatus(
    {
      status: '$response.body#/s',
      map: { done: 'finished', cancelled: 'canceled' },
      requestCounts: { total: ['$response.body#/n', 'nope'], pending: '$response.body#/p' },
    },
    at,
    report,
  );
  assert.match(problems[0][0], /map\.done: "finished" is not a status of the vocabulary/);
  assert.deepEqual(problems[0][1], [...at, 'map', 'done']);
  assert.deepEqual(problems[1][1], [...at, 'requestCounts', 'total', 1]);
  assert.match(problems[2][0], /unknown count "pending"/);
  assert.deepEqual(out, { status: '$response.body#/s', map: { cancelled: 'canceled' }, requestCounts: {} });
  assert.equal(compileStatus({ map: {} }, at, report), undefined, 'status is required');
});

test("run's progress line and completion line: the normalized status with its counts, nothing without one", async () => {
  const { statusText } = await import('../../src/cli/progress');
  assert.equal(
    statusText({ batchStatus: 'in_progress', requestCounts: { total: 3, completed: 1, failed: 0 } }),
    ' · batch in_progress, 1/3 requests completed, 0 failed',
  );
  assert.equal(statusText({ batchStatus: 'ended' }), ' · batch ended');
  assert.equal(statusText({}), '');
});
