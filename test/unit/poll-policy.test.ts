// The poll policy of a run: absent options never override defaults (the NaN poll delay that took workers
// down came from `{...DEFAULT_POLL, ...{initialIntervalMs: undefined}}`), and bad values are refused at compile time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareDocument } from '../../src/load/prepare';
import { DocumentError } from '../../src/core/diagnostics';
import { DEFAULT_POLL, pollDelayMs, pollPolicyProblem, withDefined } from '../../src/core/poll-policy';

const ROOT = resolve(__dirname, '../..');
const BATCH = join(ROOT, 'arazzo/openai-batch-job.arazzo.yaml');

test('withDefined: undefined fields keep the base value', () => {
  const merged = withDefined(DEFAULT_POLL, { initialIntervalMs: undefined, maxIntervalMs: 5000, timeoutMs: undefined });
  assert.deepEqual(merged, { ...DEFAULT_POLL, maxIntervalMs: 5000 });
  assert.deepEqual(withDefined(DEFAULT_POLL, undefined), DEFAULT_POLL);
});

test('pollPolicyProblem: finite, positive, maxInterval >= interval, backoff >= 1', () => {
  assert.equal(pollPolicyProblem(DEFAULT_POLL), undefined);
  assert.match(pollPolicyProblem({ ...DEFAULT_POLL, initialIntervalMs: NaN }) ?? '', /interval must be a positive duration \(got NaN ms\)/);
  assert.match(pollPolicyProblem({ ...DEFAULT_POLL, initialIntervalMs: 0 }) ?? '', /interval must be a positive/);
  assert.match(pollPolicyProblem({ ...DEFAULT_POLL, maxIntervalMs: Infinity }) ?? '', /maxInterval must be a positive/);
  assert.match(pollPolicyProblem({ ...DEFAULT_POLL, initialIntervalMs: 10_000, maxIntervalMs: 5000 }) ?? '', /maxInterval \(5000 ms\) must not be shorter than interval \(10000 ms\)/);
  assert.match(pollPolicyProblem({ ...DEFAULT_POLL, backoff: 0.5 }) ?? '', /backoff must be a number >= 1/);
  assert.match(pollPolicyProblem({ ...DEFAULT_POLL, timeoutMs: -1 }) ?? '', /timeout/);
});

test('pollDelayMs: backs off to the cap and is always a finite number', () => {
  assert.deepEqual([1, 2, 3, 7, 100].map((n) => pollDelayMs(DEFAULT_POLL, n)), [1000, 2000, 4000, 60_000, 60_000]);
  for (const bad of [{ ...DEFAULT_POLL, initialIntervalMs: NaN }, { ...DEFAULT_POLL, backoff: NaN }]) {
    const d = pollDelayMs(bad, 3);
    assert.ok(Number.isFinite(d) && d >= 0, String(d));
  }
});

test('prepare: poll options given as undefined (absent CLI flags) leave the defaults in every step', async () => {
  const prepared = await prepareDocument(BATCH, { poll: { initialIntervalMs: undefined, maxIntervalMs: undefined, timeoutMs: undefined } });
  for (const step of prepared.plan.steps) {
    assert.ok(Number.isFinite(step.poll.initialIntervalMs) && step.poll.initialIntervalMs > 0, `${step.stepId}: ${JSON.stringify(step.poll)}`);
    assert.equal(pollPolicyProblem(step.poll), undefined, step.stepId);
  }
  const poll = prepared.plan.steps.find((s) => s.stepId === 'pollBatch')!.poll;
  assert.ok(Number.isFinite(pollDelayMs(poll, 1)));
});

test('prepare: a run poll option that is not a positive duration is refused before anything starts', async () => {
  await assert.rejects(prepareDocument(BATCH, { poll: { initialIntervalMs: NaN } }), (err: unknown) => {
    assert.ok(err instanceof DocumentError);
    assert.ok(err.diagnostics.some((d) => d.code === 'bad-poll-policy' && /interval must be a positive duration/.test(d.message)), err.message);
    return true;
  });
  await assert.rejects(prepareDocument(BATCH, { poll: { initialIntervalMs: 10_000, maxIntervalMs: 1000 } }), /maxInterval \(1000 ms\) must not be shorter than interval/);
});

test('prepare: x-temporal-poll with maxInterval shorter than interval is an error at its line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poll-'));
  const text = readFileSync(BATCH, 'utf8').replace(/^(- workflowId: batch-job\n)/m, '$1  x-temporal-poll: {interval: 10s, maxInterval: 2s}\n');
  assert.notEqual(text, readFileSync(BATCH, 'utf8'), 'the fixture edit applied');
  const file = join(dir, 'doc.arazzo.yaml');
  writeFileSync(file, text.replace(/\.\.\/openapi\//g, `${join(ROOT, 'openapi')}/`));
  await assert.rejects(prepareDocument(file), (err: unknown) => {
    assert.ok(err instanceof DocumentError);
    const d = err.diagnostics.find((x) => /maxInterval \(2s\) must not be shorter than interval \(10s\)/.test(x.message));
    assert.ok(d, err.message);
    const line = text.split('\n').findIndex((l) => l.includes('x-temporal-poll')) + 1;
    assert.equal(d.pos?.line, line);
    return true;
  });
});
