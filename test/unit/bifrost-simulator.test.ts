// The simulator's Bifrost gateway over real HTTP: Bifrost's shapes, its status and count mapping, its error envelope,
// and the loopback calls it makes to the simulated providers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../src/simulator';
import { bifrostStatus, requestCounts } from '../../src/simulator/bifrost-translate';

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ timing: 'fast' });
});
after(() => sim.close());

const base = () => `${sim.url}/bifrost/v1`;
const call = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(base() + path, init);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const post = (path: string, json?: unknown) =>
  call(path, {
    method: 'POST',
    ...(json !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
  });
const params = (model: string) => ({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });

test('handler errors: status_code 400, is_bifrost_error false, only error.message, extra_fields {}', async () => {
  for (const [body, message] of [
    [{ model: 'gpt-4o-mini', input_file_id: 'f' }, 'model should be in provider/model format or provider must be specified'],
    [{ model: 'nonsense/x', input_file_id: 'f' }, 'model should be in provider/model format or provider must be specified'],
    [{ model: 'openai/x' }, 'either input_file_id or requests is required'],
    [{ model: 'openai/x', input_file_id: 'f', requests: [{ custom_id: 'a' }] }, 'provide either input_file_id or requests, not both'],
  ] as const) {
    const r = await post('/batches', body);
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { is_bifrost_error: false, status_code: 400, error: { message }, extra_fields: {} });
  }
  const missing = await call('/batches/batch_x');
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.message, 'provider query parameter is required');
});

test('providers without batch support or without keys; upstream errors passed through with their status', async () => {
  const groq = await post('/batches', { model: 'groq/llama', input_file_id: 'f' });
  assert.equal(groq.status, 400);
  assert.deepEqual(groq.body.error, { code: 'unsupported_operation', message: 'batch_create is not supported by groq provider' });
  assert.deepEqual(groq.body.extra_fields, { provider: 'groq', request_type: 'batch_create' });
  const gemini = await call('/batches/b1?provider=gemini');
  assert.match(gemini.body.error.message, /no config found for batch APIs.*provider: gemini/);
  const notFound = await call('/batches/batch_nope?provider=openai');
  assert.equal(notFound.status, 404);
  assert.equal(notFound.body.is_bifrost_error, false);
  assert.equal(notFound.body.status_code, 404);
  assert.match(notFound.body.error.message, /batch_nope/);
  assert.ok(
    sim.requests.some((r) => r.provider === 'openai' && r.path === '/v1/batches/batch_nope' && r.status === 404),
    'the upstream call was made',
  );
});

test('Anthropic through the gateway: statuses and counts as Bifrost maps them, results as one JSON object', async () => {
  const created = await post('/batches', {
    model: 'anthropic/claude-x',
    requests: [
      { custom_id: 'ok', params: params('claude-x') },
      { custom_id: 'bad', params: params('sim-fail') },
    ],
  });
  assert.equal(created.status, 200);
  assert.equal(created.body.status, 'in_progress');
  assert.deepEqual(created.body.request_counts, { total: 2, completed: 0, failed: 0, pending: 2 });
  assert.equal(created.body.extra_fields.provider, 'anthropic');
  let got;
  do got = await call(`/batches/${created.body.id}?provider=anthropic`);
  while (got.body.status !== 'ended');
  assert.deepEqual(got.body.request_counts, { total: 2, completed: 1, failed: 1, succeeded: 1 });
  assert.equal(got.body.processing_status, 'ended');
  const results = await call(`/batches/${created.body.id}/results?provider=anthropic`);
  assert.equal(results.body.batch_id, created.body.id);
  const byId = Object.fromEntries(results.body.results.map((r: any) => [r.custom_id, r]));
  assert.equal(byId.ok.result.type, 'succeeded');
  assert.deepEqual(byId.bad.error, { code: 'not_found_error', message: 'model: sim-fail' });
});

test('the mapping functions: OpenAI identity (cancelled as the pinned code spells it), Anthropic canceling → cancelling', () => {
  for (const s of ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'])
    assert.equal(bifrostStatus('openai', s), s);
  assert.deepEqual(
    ['in_progress', 'canceling', 'ended'].map((s) => bifrostStatus('anthropic', s)),
    ['in_progress', 'cancelling', 'ended'],
  );
  assert.deepEqual(requestCounts('anthropic', { processing: 1, succeeded: 2, errored: 3, canceled: 4, expired: 5 }), {
    total: 15,
    completed: 2,
    failed: 3,
    succeeded: 2,
    expired: 5,
    canceled: 4,
    pending: 1,
  });
  assert.deepEqual(requestCounts('anthropic', { processing: 0, succeeded: 2, errored: 0, canceled: 1, expired: 0 }, true), {
    total: 3,
    completed: 2,
    failed: 0,
  });
});
