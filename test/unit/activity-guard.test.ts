// The last-resort guard: an activity failure Temporal cannot convert (the NaN nextRetryDelay that stopped
// whole workers) or a result over the payload limit fails that activity, non-retryably, naming the step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure, DefaultFailureConverter, defaultPayloadConverter } from '@temporalio/common';
import { resolveSecrets } from '../../src/activities/secrets';
import { ACTIVITY_GUARD_ERROR, MAX_RESULT_BYTES, guarded } from '../../src/activities/guard';

const input = { step: { stepId: 'pollBatch' } };

test('the failure the worker could not convert: the SDK converter throws on a NaN nextRetryDelay', () => {
  const bad = ApplicationFailure.create({ message: 'polling again', nextRetryDelay: NaN });
  assert.throws(() => new DefaultFailureConverter().errorToFailure(bad, defaultPayloadConverter), /NaN/);
});

test('guarded: a NaN nextRetryDelay becomes a non-retryable failure naming the step', async () => {
  const fn = guarded(async (_: typeof input) => {
    throw ApplicationFailure.create({ message: 'polling again', nextRetryDelay: NaN });
  });
  await assert.rejects(fn(input), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, ACTIVITY_GUARD_ERROR);
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /^step pollBatch: internal error, the activity asked for an invalid retry delay \(nextRetryDelay NaN\)/);
    // and what replaces it converts
    new DefaultFailureConverter().errorToFailure(err, defaultPayloadConverter);
    return true;
  });
});

test('guarded: negative and infinite delays are refused too; valid failures pass unchanged', async () => {
  for (const delay of [-1, Infinity]) {
    await assert.rejects(guarded(async (_: typeof input) => Promise.reject(ApplicationFailure.create({ message: 'x', nextRetryDelay: delay })))(input), { type: ACTIVITY_GUARD_ERROR });
  }
  const fine = ApplicationFailure.create({ message: 'HTTP 503', type: 'ArazzoHttp503', nextRetryDelay: 1500 });
  await assert.rejects(guarded(async (_: typeof input) => Promise.reject(fine))(input), (err) => err === fine);
});

test('guarded: a failure whose details cannot be serialized fails the activity instead of the worker', async () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const fn = guarded(async (_: typeof input) => {
    throw ApplicationFailure.create({ message: 'bad details', details: [cyclic] });
  });
  await assert.rejects(fn(input), (err: unknown) => err instanceof ApplicationFailure && err.type === ACTIVITY_GUARD_ERROR && /could not be converted/.test(err.message));
});

test('guarded: results over the payload limit or not serializable fail with a clear message; others pass', async () => {
  await assert.rejects(guarded(async (_: typeof input) => ({ body: 'x'.repeat(MAX_RESULT_BYTES + 10) }))(input), (err: unknown) => err instanceof ApplicationFailure && /over the 1900000-byte payload limit/.test(err.message));
  await assert.rejects(guarded(async (_: typeof input) => ({ n: 10n }))(input), (err: unknown) => err instanceof ApplicationFailure && /result could not be converted/.test(err.message));
  assert.deepEqual(await guarded(async (_: typeof input) => ({ ok: true }))(input), { ok: true });
});

test('guarded: secrets in the replaced message are redacted', async () => {
  process.env.GUARD_TEST_KEY = 'sk-guard-test-0123456789';
  resolveSecrets({ $secret: 'GUARD_TEST_KEY' }); // the activity resolved it for a request
  const fn = guarded(async (_: typeof input) => {
    const err = ApplicationFailure.create({ message: `failed with ${process.env.GUARD_TEST_KEY}`, nextRetryDelay: NaN });
    throw err;
  });
  await assert.rejects(fn(input), (err: unknown) => err instanceof Error && !err.message.includes('sk-guard-test-0123456789'));
});
