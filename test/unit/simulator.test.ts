// The provider simulator over real HTTP: auth and error envelopes, validation as the real APIs do it, lifecycles,
// forced outcomes, files, idempotency (off by default, as at the providers) and faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';

/** Parsed response bodies are checked field by field; they are typed loosely on purpose. */
type Json = any;

const OPENAI = { authorization: 'Bearer sk-test' };
const ANTHROPIC = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' };

async function withSim(opts: SimulatorOptions, fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ timing: 'fast', ...opts });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

async function call(sim: Simulator, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(sim.url + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json: Json = res.headers.get('content-type') === 'application/json' ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, text, json };
}

async function upload(sim: Simulator, content: string, purpose: string, filename = 'input.jsonl') {
  const form = new FormData();
  form.append('purpose', purpose);
  form.append('file', new Blob([content]), filename);
  const res = await fetch(`${sim.url}/v1/files`, { method: 'POST', headers: OPENAI, body: form });
  return { status: res.status, json: (await res.json()) as Json };
}

/** Polls `read` until `done` holds; returns the last value and every status seen on the way. */
async function pollUntil<T>(read: () => Promise<T>, done: (v: T) => boolean, status: (v: T) => string, timeoutMs = 5000) {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (seen.at(-1) !== status(v)) seen.push(status(v));
    if (done(v)) return { value: v, seen };
    if (Date.now() > deadline) throw new Error(`timed out; statuses seen: ${seen.join(' → ')}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** A chat-format fine-tuning training file with `n` examples. */
const trainingLines = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ messages: [{ role: 'user', content: `Capital #${i}?` }, { role: 'assistant', content: `City ${i}` }] }),
  ).join('\n') + '\n';

function chatLines(ids: string[], extra: (id: string) => Record<string, unknown> = () => ({})): string {
  return ids
    .map((id) =>
      JSON.stringify({
        custom_id: id,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Say hi to ${id}` }], ...extra(id) },
      }),
    )
    .join('\n');
}

async function createBatch(sim: Simulator, content: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const file = await upload(sim, content, 'batch');
  assert.equal(file.status, 200);
  return call(sim, 'POST', '/v1/batches', { ...OPENAI, ...headers }, {
    input_file_id: file.json.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
    ...extra,
  });
}

const pollBatch = (sim: Simulator, id: string, until: string[]) =>
  pollUntil(
    async () => (await call(sim, 'GET', `/v1/batches/${id}`, OPENAI)).json,
    (b) => until.includes(b.status),
    (b) => b.status,
  );

const jsonl = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('authentication errors use each provider envelope and keys never reach the log', async () => {
  await withSim({ apiKeys: ['sk-good'] }, async (sim) => {
    const none = await call(sim, 'GET', '/v1/batches', {});
    assert.equal(none.status, 401);
    assert.deepEqual(Object.keys(none.json.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(none.json.error.type, 'invalid_request_error');
    assert.match(none.headers.get('x-request-id') ?? '', /^req_/);

    const wrong = await call(sim, 'GET', '/v1/batches', { authorization: 'Bearer sk-wrong-secret' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'invalid_api_key');
    assert.doesNotMatch(wrong.text, /sk-wrong-secret/);
    assert.equal((await call(sim, 'GET', '/v1/batches', { authorization: 'Bearer sk-good' })).status, 200);

    const anth = await call(sim, 'GET', '/v1/messages/batches', { 'x-api-key': 'sk-ant-wrong', 'anthropic-version': '2023-06-01' });
    assert.equal(anth.status, 401);
    assert.equal(anth.json.type, 'error');
    assert.equal(anth.json.error.type, 'authentication_error');
    assert.equal(anth.json.request_id, anth.headers.get('request-id'));

    const noVersion = await call(sim, 'GET', '/v1/messages/batches', { 'x-api-key': 'sk-good' });
    assert.equal(noVersion.status, 400);
    assert.equal(noVersion.json.error.type, 'invalid_request_error');
    assert.match(noVersion.json.error.message, /anthropic-version/);

    const bearerOnAnthropic = await call(sim, 'GET', '/v1/messages/batches', { authorization: 'Bearer sk-good', 'anthropic-version': '2023-06-01' });
    assert.equal(bearerOnAnthropic.status, 401);

    assert.equal(sim.count('GET', '/v1/messages/batches'), 3);
    assert.doesNotMatch(JSON.stringify(sim.requests), /sk-good|sk-wrong|sk-ant-wrong/);
  });
});

test('unknown ids and routes answer 404 in each provider shape', async () => {
  await withSim({}, async (sim) => {
    for (const path of ['/v1/batches/batch_nope', '/v1/files/file-nope', '/v1/fine_tuning/jobs/ftjob-nope', '/v1/nothing-here']) {
      const r = await call(sim, 'GET', path, OPENAI);
      assert.equal(r.status, 404, path);
      assert.equal(r.json.error.type, 'invalid_request_error', path);
    }
    const r = await call(sim, 'GET', '/v1/messages/batches/msgbatch_nope', ANTHROPIC);
    assert.equal(r.status, 404);
    assert.equal(r.json.error.type, 'not_found_error');
  });
});

test('file upload validates the multipart form; files list, download and delete', async () => {
  await withSim({}, async (sim) => {
    const noPurpose = new FormData();
    noPurpose.append('file', new Blob(['{}']), 'a.jsonl');
    const r1 = await fetch(`${sim.url}/v1/files`, { method: 'POST', headers: OPENAI, body: noPurpose });
    assert.equal(r1.status, 400);
    assert.equal(((await r1.json()) as Json).error.param, 'purpose');

    assert.equal((await upload(sim, '{}', 'banana')).json.error.param, 'purpose');

    const textPart = new FormData();
    textPart.append('purpose', 'batch');
    textPart.append('file', '{"not":"a file part"}');
    const r3 = await fetch(`${sim.url}/v1/files`, { method: 'POST', headers: OPENAI, body: textPart });
    assert.equal(r3.status, 400);
    assert.match(((await r3.json()) as Json).error.message, /file upload/);

    const json = await call(sim, 'POST', '/v1/files', OPENAI, { purpose: 'batch' });
    assert.equal(json.status, 400);

    const content = '{"a":1}\n{"b":2}\n';
    const a = (await upload(sim, content, 'batch', 'a.jsonl')).json;
    const b = (await upload(sim, content, 'fine-tune', 'b.jsonl')).json;
    assert.equal(a.object, 'file');
    assert.equal(a.bytes, Buffer.byteLength(content));
    assert.equal(a.filename, 'a.jsonl');
    assert.equal(typeof a.expires_at, 'number', 'batch files expire after 30 days');
    assert.equal(b.expires_at, null);

    const all = await call(sim, 'GET', '/v1/files', OPENAI);
    assert.deepEqual(all.json.data.map((f: { id: string }) => f.id), [b.id, a.id], 'newest first by default');
    const asc = await call(sim, 'GET', '/v1/files?order=asc&limit=1', OPENAI);
    assert.deepEqual([asc.json.data[0].id, asc.json.has_more], [a.id, true]);
    const next = await call(sim, 'GET', `/v1/files?order=asc&limit=1&after=${a.id}`, OPENAI);
    assert.deepEqual([next.json.data[0].id, next.json.has_more], [b.id, false]);
    const batchOnly = await call(sim, 'GET', '/v1/files?purpose=fine-tune', OPENAI);
    assert.deepEqual(batchOnly.json.data.map((f: { id: string }) => f.id), [b.id]);

    const dl = await call(sim, 'GET', `/v1/files/${a.id}/content`, OPENAI);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('content-type'), 'application/octet-stream');
    assert.equal(dl.text, content);

    const del = await call(sim, 'DELETE', `/v1/files/${a.id}`, OPENAI);
    assert.deepEqual(del.json, { id: a.id, object: 'file', deleted: true });
    assert.equal((await call(sim, 'GET', `/v1/files/${a.id}`, OPENAI)).status, 404);
  });
});

test('OpenAI batch runs validating → in_progress → finalizing → completed and serves a shuffled output file', async () => {
  await withSim({}, async (sim) => {
    const ids = ['req-1', 'req-2', 'req-3', 'req-4', 'req-5', 'req-6'];
    const created = await createBatch(sim, chatLines(ids), { metadata: { run: 'unit' } });
    assert.equal(created.status, 200);
    assert.equal(created.json.status, 'validating');
    assert.deepEqual(created.json.request_counts, { total: 0, completed: 0, failed: 0 });
    assert.equal(created.json.expires_at, created.json.created_at + 86400);
    assert.deepEqual(created.json.metadata, { run: 'unit' });

    const { value: done, seen } = await pollBatch(sim, created.json.id, ['completed', 'failed']);
    assert.deepEqual(seen, ['validating', 'in_progress', 'finalizing', 'completed']);
    assert.deepEqual(done.request_counts, { total: 6, completed: 6, failed: 0 });
    for (const k of ['in_progress_at', 'finalizing_at', 'completed_at']) assert.equal(typeof done[k], 'number', k);
    assert.equal(done.error_file_id, null);
    assert.equal(done.errors, null);

    const meta = await call(sim, 'GET', `/v1/files/${done.output_file_id}`, OPENAI);
    assert.equal(meta.json.purpose, 'batch_output');
    const out = await call(sim, 'GET', `/v1/files/${done.output_file_id}/content`, OPENAI);
    const lines = jsonl(out.text);
    assert.equal(lines.length, ids.length);
    assert.deepEqual(lines.map((l) => l.custom_id).sort(), [...ids].sort());
    assert.notDeepEqual(lines.map((l) => l.custom_id), ids, 'output order differs from input order');
    for (const l of lines) {
      assert.match(l.id, /^batch_req_/);
      assert.equal(l.error, null);
      assert.equal(l.response.status_code, 200);
      assert.match(l.response.request_id, /^req_/);
      assert.equal(l.response.body.object, 'chat.completion');
      assert.match(l.response.body.choices[0].message.content, new RegExp(`Say hi to ${l.custom_id}$`));
    }
  });
});

test('OpenAI batch: simulate_error lines go to the error file; invalid input fails the batch', async () => {
  await withSim({}, async (sim) => {
    const mixed = await createBatch(sim, chatLines(['a', 'b', 'c'], (id) => (id === 'b' ? { simulate_error: true } : {})));
    const { value: done } = await pollBatch(sim, mixed.json.id, ['completed']);
    assert.deepEqual(done.request_counts, { total: 3, completed: 2, failed: 1 });
    const errors = jsonl((await call(sim, 'GET', `/v1/files/${done.error_file_id}/content`, OPENAI)).text);
    assert.deepEqual(errors.map((l) => l.custom_id), ['b']);
    assert.equal(errors[0].response.status_code, 400);
    assert.equal(errors[0].response.body.error.code, 'simulated_error');
    assert.equal(jsonl((await call(sim, 'GET', `/v1/files/${done.output_file_id}/content`, OPENAI)).text).length, 2);

    const bad = [chatLines(['x']), 'not json', JSON.stringify({ custom_id: 'y', method: 'POST', url: '/v1/embeddings', body: {} }), chatLines(['x'])].join('\n');
    const failing = await createBatch(sim, bad);
    assert.equal(failing.status, 200, 'input problems surface asynchronously');
    const { value: failed, seen } = await pollBatch(sim, failing.json.id, ['failed', 'completed']);
    assert.deepEqual(seen, ['validating', 'failed']);
    assert.equal(typeof failed.failed_at, 'number');
    assert.equal(failed.output_file_id, null);
    assert.deepEqual(
      failed.errors.data.map((e: { code: string; line: number }) => [e.code, e.line]),
      [['invalid_json_line', 2], ['mismatched_endpoint', 3], ['duplicate_custom_id', 4]],
    );

    const wrongPurpose = (await upload(sim, chatLines(['z']), 'fine-tune')).json;
    const r = await call(sim, 'POST', '/v1/batches', OPENAI, { input_file_id: wrongPurpose.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.param, 'input_file_id');
    const window = await call(sim, 'POST', '/v1/batches', OPENAI, { input_file_id: wrongPurpose.id, endpoint: '/v1/chat/completions', completion_window: '48h' });
    assert.equal(window.json.error.param, 'completion_window');
  });
});

test('OpenAI batch: forced expiry keeps partial output and writes batch_expired lines', async () => {
  await withSim({}, async (sim) => {
    const ids = ['e1', 'e2', 'e3', 'e4'];
    const created = await createBatch(sim, chatLines(ids), { metadata: { simulate: 'expired' } });
    const { value: b, seen } = await pollBatch(sim, created.json.id, ['expired', 'completed']);
    assert.deepEqual(seen, ['validating', 'in_progress', 'expired']);
    assert.equal(typeof b.expired_at, 'number');
    assert.deepEqual(b.request_counts, { total: 4, completed: 2, failed: 2 });
    const ok = jsonl((await call(sim, 'GET', `/v1/files/${b.output_file_id}/content`, OPENAI)).text);
    const expired = jsonl((await call(sim, 'GET', `/v1/files/${b.error_file_id}/content`, OPENAI)).text);
    assert.equal(ok.length, 2);
    assert.equal(expired.length, 2);
    assert.deepEqual([...ok, ...expired].map((l) => l.custom_id).sort(), ids);
    for (const l of expired) assert.deepEqual([l.response, l.error.code], [null, 'batch_expired']);
  });
});

test('OpenAI batch cancel: cancelling → cancelled; finished batches refuse', async () => {
  await withSim({}, async (sim) => {
    sim.setTiming({ batchValidatingMs: 0, batchInProgressMs: 60_000, batchCancellingMs: 200 });
    const created = await createBatch(sim, chatLines(['c1', 'c2']));
    const cancel = await call(sim, 'POST', `/v1/batches/${created.json.id}/cancel`, OPENAI);
    assert.equal(cancel.status, 200);
    assert.equal(cancel.json.status, 'cancelling');
    assert.equal(typeof cancel.json.cancelling_at, 'number');
    const { value: b, seen } = await pollBatch(sim, created.json.id, ['cancelled']);
    assert.deepEqual(seen, ['cancelling', 'cancelled']);
    assert.equal(typeof b.cancelled_at, 'number');
    assert.equal(b.request_counts.completed + b.request_counts.failed, 2);
    const again = await call(sim, 'POST', `/v1/batches/${created.json.id}/cancel`, OPENAI);
    assert.equal(again.json.status, 'cancelled', 'cancelling a cancelled batch is a no-op');

    sim.setTiming('fast');
    const quick = await createBatch(sim, chatLines(['q']));
    await pollBatch(sim, quick.json.id, ['completed']);
    const late = await call(sim, 'POST', `/v1/batches/${quick.json.id}/cancel`, OPENAI);
    assert.equal(late.status, 400);
    assert.equal(late.json.error.type, 'invalid_request_error');
    assert.equal(sim.state.batches().length, 2);
  });
});

test('fine-tuning: succeeded with model name and result file; sim-fail fails; cancel is immediate', async () => {
  await withSim({}, async (sim) => {
    const training = (await upload(sim, trainingLines(10), 'fine-tune')).json;
    const created = await call(sim, 'POST', '/v1/fine_tuning/jobs', OPENAI, { model: 'gpt-4o-mini', training_file: training.id });
    assert.equal(created.status, 200);
    assert.equal(created.json.object, 'fine_tuning.job');
    assert.equal(created.json.status, 'validating_files');
    assert.deepEqual([created.json.fine_tuned_model, created.json.finished_at, created.json.trained_tokens, created.json.result_files], [null, null, null, []]);

    const read = (id: string) => async () => (await call(sim, 'GET', `/v1/fine_tuning/jobs/${id}`, OPENAI)).json;
    const terminal = (j: Json) => ['succeeded', 'failed', 'cancelled'].includes(j.status);
    const { value: job, seen } = await pollUntil(read(created.json.id), terminal, (j) => j.status);
    assert.deepEqual(seen, ['validating_files', 'queued', 'running', 'succeeded']);
    assert.equal(job.fine_tuned_model, `ft:gpt-4o-mini:sim-org::${job.id.replace('ftjob-', '')}`);
    assert.ok(job.trained_tokens > 0);
    assert.equal(typeof job.finished_at, 'number');
    assert.equal(job.result_files.length, 1);
    const results = await call(sim, 'GET', `/v1/files/${job.result_files[0]}/content`, OPENAI);
    assert.match(results.text, /^step,train_loss/);
    const events = await call(sim, 'GET', `/v1/fine_tuning/jobs/${job.id}/events`, OPENAI);
    assert.equal(events.json.object, 'list');
    assert.equal(events.json.data[0].message, 'The job has successfully completed', 'newest first');
    assert.ok(events.json.data.some((e: { type: string }) => e.type === 'metrics'));

    const failing = await call(sim, 'POST', '/v1/fine_tuning/jobs', OPENAI, { model: 'sim-fail', training_file: training.id });
    const { value: failed } = await pollUntil(read(failing.json.id), terminal, (j) => j.status);
    assert.equal(failed.status, 'failed');
    assert.equal(typeof failed.error.message, 'string');
    assert.equal(failed.fine_tuned_model, null);

    const byOther = await call(sim, 'POST', '/v1/fine_tuning/jobs', OPENAI, { model: 'sim-cancel', training_file: training.id });
    const { value: cancelledByOther, seen: otherSeen } = await pollUntil(read(byOther.json.id), terminal, (j) => j.status);
    assert.deepEqual(otherSeen, ['validating_files', 'queued', 'running', 'cancelled'], 'sim-cancel: someone else cancels it while running');
    assert.deepEqual([cancelledByOther.fine_tuned_model, cancelledByOther.error], [null, null]);

    const toCancel = await call(sim, 'POST', '/v1/fine_tuning/jobs', OPENAI, { model: 'gpt-4o-mini', training_file: training.id, suffix: 'demo' });
    const cancelled = await call(sim, 'POST', `/v1/fine_tuning/jobs/${toCancel.json.id}/cancel`, OPENAI);
    assert.equal(cancelled.json.status, 'cancelled');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await read(toCancel.json.id)()).status, 'cancelled', 'a cancelled job stays cancelled');
    assert.equal((await call(sim, 'POST', `/v1/fine_tuning/jobs/${job.id}/cancel`, OPENAI)).status, 400);

    const batchFile = (await upload(sim, chatLines(['x']), 'batch')).json;
    const wrong = await call(sim, 'POST', '/v1/fine_tuning/jobs', OPENAI, { model: 'gpt-4o-mini', training_file: batchFile.id });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error.param, 'training_file');
    const refused = await call(sim, 'GET', `/v1/files/${training.id}/content`, OPENAI);
    assert.equal(refused.status, 400, 'files of purpose fine-tune cannot be downloaded');
    assert.equal(refused.json.error.message, 'Not allowed to download files of purpose: fine-tune');
    const list = await call(sim, 'GET', '/v1/fine_tuning/jobs?limit=2', OPENAI);
    assert.deepEqual([list.json.data.length, list.json.has_more], [2, true]);
  });
});

const messageRequests = (ids: string[]) =>
  ids.map((custom_id) => ({ custom_id, params: { model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: [{ role: 'user', content: `Hello ${custom_id}` }] } }));

test('Anthropic batch: in_progress → ended with frozen counts, then JSONL results; delete once ended', async () => {
  await withSim({}, async (sim) => {
    const requests = [...messageRequests(['m1', 'm2', 'm3']), { custom_id: 'm4', params: { model: 'claude-sonnet-4-20250514', messages: [] } }];
    const created = await call(sim, 'POST', '/v1/messages/batches', ANTHROPIC, { requests });
    assert.equal(created.status, 200);
    assert.match(created.headers.get('request-id') ?? '', /^req_/);
    assert.equal(created.json.type, 'message_batch');
    assert.equal(created.json.processing_status, 'in_progress');
    assert.deepEqual(created.json.request_counts, { processing: 4, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
    assert.equal(created.json.results_url, null);
    assert.match(created.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(Date.parse(created.json.expires_at) - Date.parse(created.json.created_at), 86_400_000);

    const early = await call(sim, 'GET', `/v1/messages/batches/${created.json.id}/results`, ANTHROPIC);
    assert.equal(early.status, 400);
    assert.equal(early.json.error.type, 'invalid_request_error');
    assert.equal((await call(sim, 'DELETE', `/v1/messages/batches/${created.json.id}`, ANTHROPIC)).status, 400);

    const { value: b, seen } = await pollUntil(
      async () => (await call(sim, 'GET', `/v1/messages/batches/${created.json.id}`, ANTHROPIC)).json,
      (x) => x.processing_status === 'ended',
      (x) => `${x.processing_status}:${x.request_counts.processing}`,
    );
    assert.deepEqual(seen, ['in_progress:4', 'ended:0']);
    assert.deepEqual(b.request_counts, { processing: 0, succeeded: 3, errored: 1, canceled: 0, expired: 0 });
    assert.equal(b.results_url, `${sim.url}/v1/messages/batches/${b.id}/results`);
    assert.equal(typeof b.ended_at, 'string');

    const res = await fetch(b.results_url, { headers: ANTHROPIC });
    assert.equal(res.status, 200);
    const lines = jsonl(await res.text());
    assert.deepEqual(lines.map((l) => l.custom_id).sort(), ['m1', 'm2', 'm3', 'm4']);
    const m4 = lines.find((l) => l.custom_id === 'm4');
    assert.equal(m4.result.type, 'errored');
    assert.equal(m4.result.error.error.type, 'invalid_request_error');
    const m1 = lines.find((l) => l.custom_id === 'm1').result;
    assert.equal(m1.type, 'succeeded');
    assert.deepEqual([m1.message.type, m1.message.role, m1.message.stop_reason], ['message', 'assistant', 'end_turn']);
    assert.equal(m1.message.content[0].text, 'Simulated reply to: Hello m1');

    const list = await call(sim, 'GET', '/v1/messages/batches?limit=1', ANTHROPIC);
    assert.deepEqual([list.json.first_id, list.json.has_more], [b.id, false]);
    const del = await call(sim, 'DELETE', `/v1/messages/batches/${b.id}`, ANTHROPIC);
    assert.deepEqual(del.json, { id: b.id, type: 'message_batch_deleted' });
    assert.equal((await call(sim, 'GET', `/v1/messages/batches/${b.id}`, ANTHROPIC)).status, 404);

    const dup = await call(sim, 'POST', '/v1/messages/batches', ANTHROPIC, { requests: messageRequests(['d', 'd']) });
    assert.equal(dup.status, 400);
  });
});

test('fine-tuning: a training file with fewer than 10 examples or a bad messages shape fails the job while validating', async () => {
  await withSim({}, async (sim) => {
    const read = (id: string) => async () => (await call(sim, 'GET', `/v1/fine_tuning/jobs/${id}`, OPENAI)).json;
    const terminal = (j: Json) => ['succeeded', 'failed', 'cancelled'].includes(j.status);
    const cases: [string, string, RegExp][] = [
      [trainingLines(2), 'invalid_n_examples', /has 2 example\(s\), but must have at least 10/],
      [trainingLines(9) + '{"messages":[{"role":"user","content":"only a question"}]}\n', 'invalid_training_file', /line 10: .*no assistant message/],
      [trainingLines(10).replace('"role":"user"', '"role":"robot"'), 'invalid_training_file', /line 1: messages\[0\] has no valid 'role'/],
      [trainingLines(10) + '{"prompt":"legacy","completion":"format"}\n', 'invalid_training_file', /line 11: 'messages' must be a non-empty list/],
    ];
    for (const [content, code, message] of cases) {
      const file = (await upload(sim, content, 'fine-tune')).json;
      const created = await call(sim, 'POST', '/v1/fine_tuning/jobs', OPENAI, { model: 'gpt-4o-mini', training_file: file.id });
      assert.equal(created.status, 200, 'the file is checked after the create, while validating_files');
      const { value: job, seen } = await pollUntil(read(created.json.id), terminal, (j) => j.status);
      assert.deepEqual(seen, ['validating_files', 'failed']);
      assert.equal(job.error.code, code);
      assert.match(job.error.message, message);
      assert.equal(job.error.param, 'training_file');
    }
    const txt = await upload(sim, trainingLines(10), 'fine-tune', 'train.txt');
    assert.equal(txt.status, 400);
    assert.match(txt.json.error.message, /Must be \.jsonl/);
  });
});

test('validation as the real APIs do it: batch input .jsonl, body.model; Anthropic custom_id pattern and uniqueness', async () => {
  await withSim({}, async (sim) => {
    const txt = await upload(sim, chatLines(['a']), 'batch', 'input.txt');
    assert.equal(txt.status, 400);
    assert.deepEqual(txt.json.error, { message: 'Invalid file format for Batch API. Must be .jsonl', type: 'invalid_request_error', param: null, code: null });

    const noModel = JSON.stringify({ custom_id: 'n1', method: 'POST', url: '/v1/chat/completions', body: { messages: [] } });
    const created = await createBatch(sim, [chatLines(['ok']), noModel, chatLines(['ok'])].join('\n'));
    assert.equal(created.status, 200, 'bad lines are accepted at create; the batch fails validation');
    const { value: failed } = await pollBatch(sim, created.json.id, ['failed', 'completed']);
    assert.equal(failed.status, 'failed');
    assert.deepEqual(
      failed.errors.data.map((e: Json) => [e.code, e.param, e.line]),
      [
        ['missing_required_parameter', 'body.model', 2],
        ['duplicate_custom_id', 'custom_id', 3],
      ],
    );
    assert.deepEqual([failed.output_file_id, failed.error_file_id], [null, null]);

    for (const bad of ['has space', 'x'.repeat(65), 'dotted.id', 'slash/id']) {
      const res = await call(sim, 'POST', '/v1/messages/batches', ANTHROPIC, { requests: messageRequests(['fine', bad]) });
      assert.equal(res.status, 400, `custom_id ${JSON.stringify(bad)} is refused`);
      assert.equal(res.json.error.type, 'invalid_request_error');
      assert.match(res.json.error.message, /^requests\.1\.custom_id: String should match pattern/);
    }
    assert.equal((await call(sim, 'POST', '/v1/messages/batches', ANTHROPIC, { requests: messageRequests(['a-Z_0', 'x'.repeat(64)]) })).status, 200);
    assert.equal(sim.state.messageBatches().length, 1);
  });
});

test('Anthropic batch cancel: canceling → ended with canceled results; one batch mixes all four result types', async () => {
  await withSim({}, async (sim) => {
    sim.setTiming({ messageBatchInProgressMs: 60_000, messageBatchCancelingMs: 200 });
    const created = await call(sim, 'POST', '/v1/messages/batches', ANTHROPIC, { requests: messageRequests(['k1', 'k2', 'k3']) });
    const cancel = await call(sim, 'POST', `/v1/messages/batches/${created.json.id}/cancel`, ANTHROPIC);
    assert.equal(cancel.json.processing_status, 'canceling');
    assert.equal(typeof cancel.json.cancel_initiated_at, 'string');
    const { value: b, seen } = await pollUntil(
      async () => (await call(sim, 'GET', `/v1/messages/batches/${created.json.id}`, ANTHROPIC)).json,
      (x) => x.processing_status === 'ended',
      (x) => x.processing_status,
    );
    assert.deepEqual(seen, ['canceling', 'ended']);
    assert.deepEqual(b.request_counts, { processing: 0, succeeded: 0, errored: 0, canceled: 3, expired: 0 });
    const lines = jsonl((await call(sim, 'GET', `/v1/messages/batches/${b.id}/results`, ANTHROPIC)).text);
    assert.deepEqual(lines.map((l) => l.result.type), ['canceled', 'canceled', 'canceled']);

    const refused = await call(sim, 'POST', `/v1/messages/batches/${b.id}/cancel`, ANTHROPIC);
    assert.equal(refused.status, 409, 'an ended batch cannot be canceled');
    assert.equal(refused.json.type, 'error');

    sim.setTiming('fast');
    const marked = (id: string, model: string) => ({ ...messageRequests([id])[0], params: { ...messageRequests([id])[0].params, model } });
    const requests = [...messageRequests(['ok1', 'ok2']), marked('err', 'sim-fail'), marked('exp', 'sim-expire'), marked('can', 'sim-cancel')];
    const mixed = await call(sim, 'POST', '/v1/messages/batches', ANTHROPIC, { requests });
    const { value: ended } = await pollUntil(
      async () => (await call(sim, 'GET', `/v1/messages/batches/${mixed.json.id}`, ANTHROPIC)).json,
      (x) => x.processing_status === 'ended',
      (x) => x.processing_status,
    );
    assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 2, errored: 1, canceled: 1, expired: 1 });
    assert.equal(typeof ended.cancel_initiated_at, 'string', 'a canceled request means someone cancelled the batch');
    const types = Object.fromEntries(jsonl((await call(sim, 'GET', `/v1/messages/batches/${ended.id}/results`, ANTHROPIC)).text).map((l) => [l.custom_id, l.result.type]));
    assert.deepEqual(types, { ok1: 'succeeded', ok2: 'succeeded', err: 'errored', exp: 'expired', can: 'canceled' });
    assert.equal((await call(sim, 'POST', `/v1/messages/batches/${ended.id}/cancel`, ANTHROPIC)).status, 409);
  });
});

test('Idempotency-Key is ignored by default, as the providers document nothing about it: a repeated create creates again', async () => {
  await withSim({}, async (sim) => {
    const first = await createBatch(sim, chatLines(['i1']), {}, { 'idempotency-key': 'key-1' });
    const body = { input_file_id: first.json.input_file_id, endpoint: '/v1/chat/completions', completion_window: '24h' };
    const again = await call(sim, 'POST', '/v1/batches', { ...OPENAI, 'idempotency-key': 'key-1' }, body);
    assert.equal(again.status, 200);
    assert.notEqual(again.json.id, first.json.id);
    assert.equal(again.headers.get('idempotent-replayed'), null);
    assert.equal(sim.state.batches().length, 2);
    assert.deepEqual(sim.requests.filter((e) => e.idempotencyKey === 'key-1').map((e) => e.replayed), [false, false]);
  });
});

test('Idempotency-Key with honourIdempotencyKey: same key and route replays the original response without creating twice', async () => {
  await withSim({ honourIdempotencyKey: true }, async (sim) => {
    const first = await createBatch(sim, chatLines(['i1']), {}, { 'idempotency-key': 'key-1' });
    const input = first.json.input_file_id;
    const body = { input_file_id: input, endpoint: '/v1/chat/completions', completion_window: '24h' };
    const again = await call(sim, 'POST', '/v1/batches', { ...OPENAI, 'idempotency-key': 'key-1' }, body);
    assert.equal(again.status, 200);
    assert.equal(again.text, first.text, 'the original response, byte for byte');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await call(sim, 'POST', '/v1/batches', { ...OPENAI, 'idempotency-key': 'key-2' }, body);
    assert.notEqual(other.json.id, first.json.id);
    assert.equal(sim.state.batches().length, 2);

    const [a, b] = await Promise.all(
      [1, 2].map(() => call(sim, 'POST', '/v1/messages/batches', { ...ANTHROPIC, 'idempotency-key': 'same' }, { requests: messageRequests(['p']) })),
    );
    assert.equal(a.json.id, b.json.id, 'concurrent duplicates share one object');
    assert.equal(sim.state.messageBatches().length, 1);

    const logged = sim.requests.filter((e) => e.idempotencyKey === 'key-1');
    assert.deepEqual(logged.map((e) => [e.method, e.path, e.status, e.replayed]), [
      ['POST', '/v1/batches', 200, false],
      ['POST', '/v1/batches', 200, true],
    ]);
  });
});

test('faults: 429s carry the hints each provider really sends, or none; 529 for Anthropic; seeded rates repeat exactly', async () => {
  await withSim(
    {
      faults: {
        rules: [
          { kind: 'rate_limit', method: 'POST', path: /^\/v1\/batches$/, times: 1, retryAfterMs: 360_000 },
          { kind: 'rate_limit', method: 'GET', path: '^/v1/batches$', times: 1, retryAfterMs: 1500, hint: 'retry-after-ms' },
          { kind: 'rate_limit', method: 'GET', path: '^/v1/files$', times: 1, hint: 'none' },
          { kind: 'rate_limit', path: '^/v1/messages/batches$', times: 1, retryAfterMs: 2500, limit: 'tokens' },
          { kind: 'overloaded', path: '^/v1/messages/batches$', times: 1 },
          { kind: 'insufficient_quota', path: '^/v1/fine_tuning/jobs$', times: 1 },
        ],
      },
    },
    async (sim) => {
      const limited = await createBatch(sim, chatLines(['f1']));
      assert.equal(limited.status, 429);
      assert.equal(limited.json.error.code, 'rate_limit_exceeded');
      // OpenAI's default shape: only x-ratelimit-* with Go durations; the limit hit (requests) has none remaining
      assert.deepEqual([limited.headers.get('retry-after'), limited.headers.get('retry-after-ms'), limited.headers.get('x-should-retry')], [null, null, null]);
      assert.equal(limited.headers.get('x-ratelimit-reset-requests'), '6m0s');
      assert.equal(limited.headers.get('x-ratelimit-remaining-requests'), '0');
      assert.equal(limited.headers.get('x-ratelimit-reset-tokens'), '36s', 'the limit not hit resets sooner');
      assert.notEqual(limited.headers.get('x-ratelimit-remaining-tokens'), '0');
      assert.equal(sim.state.batches().length, 0, 'a rate-limited create creates nothing');

      const withMs = await call(sim, 'GET', '/v1/batches', OPENAI);
      assert.deepEqual([withMs.status, withMs.headers.get('retry-after'), withMs.headers.get('retry-after-ms'), withMs.headers.get('x-should-retry')], [429, '2', '1500', 'true']);
      assert.equal(withMs.headers.get('x-ratelimit-reset-requests'), '1.5s');

      const bare = await call(sim, 'GET', '/v1/files', OPENAI);
      assert.equal(bare.status, 429);
      const hints = [...bare.headers.keys()].filter((h) => /retry|ratelimit/.test(h));
      assert.deepEqual(hints, [], 'no hint at all');

      const anth = await call(sim, 'GET', '/v1/messages/batches', ANTHROPIC);
      assert.equal(anth.status, 429);
      assert.equal(anth.json.error.type, 'rate_limit_error');
      assert.deepEqual([anth.headers.get('retry-after'), anth.headers.get('retry-after-ms')], ['3', null], 'Anthropic: retry-after in whole seconds');
      const answered = Date.now();
      const reset = (name: string) => Date.parse(anth.headers.get(`anthropic-ratelimit-${name}-reset`) ?? '') - answered;
      assert.match(anth.headers.get('anthropic-ratelimit-tokens-reset') ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'RFC 3339');
      assert.ok(reset('tokens') > 1500 && reset('tokens') <= 2600, `the tokens limit (hit) resets in ~2.5 s: ${reset('tokens')}`);
      assert.ok(reset('requests') < 500, `the requests limit (not hit) resets sooner: ${reset('requests')}`);
      assert.equal(anth.headers.get('anthropic-ratelimit-tokens-remaining'), '0');
      const overloaded = await call(sim, 'GET', '/v1/messages/batches', ANTHROPIC);
      assert.equal(overloaded.status, 529);
      assert.equal(overloaded.json.error.type, 'overloaded_error');
      assert.equal((await call(sim, 'GET', '/v1/messages/batches', ANTHROPIC)).status, 200);

      const quota = await call(sim, 'GET', '/v1/fine_tuning/jobs', OPENAI);
      assert.equal(quota.status, 429);
      assert.equal(quota.json.error.code, 'insufficient_quota');
      assert.equal(quota.headers.get('x-should-retry'), 'false');
      assert.equal(quota.headers.get('retry-after'), null);
      assert.deepEqual(sim.requests.filter((e) => e.fault).map((e) => e.fault), ['rate_limit', 'rate_limit', 'rate_limit', 'rate_limit', 'overloaded', 'insufficient_quota']);
    },
  );

  const statuses = async () => {
    const out: number[] = [];
    await withSim({ faults: { seed: 7, rules: [{ kind: 'server_error', rate: 0.5 }] } }, async (sim) => {
      for (let i = 0; i < 16; i++) out.push((await call(sim, 'GET', '/v1/files', OPENAI)).status);
    });
    return out;
  };
  const first = await statuses();
  assert.deepEqual(await statuses(), first);
  assert.ok(first.includes(500) && first.includes(200), `both outcomes occur: ${first}`);
});

test('faults: slow responses, connection resets, and dropAfterCreate with idempotent retry', async () => {
  await withSim({ faults: { rules: [{ kind: 'slow', path: '^/v1/batches$', method: 'GET', delayMs: 300 }, { kind: 'reset', path: '^/v1/files$', method: 'GET', times: 1 }] } }, async (sim) => {
    const t0 = Date.now();
    assert.equal((await call(sim, 'GET', '/v1/batches', OPENAI)).status, 200);
    assert.ok(Date.now() - t0 >= 290, 'delayed');
    await assert.rejects(call(sim, 'GET', '/v1/files', OPENAI));
    assert.equal((await call(sim, 'GET', '/v1/files', OPENAI)).status, 200);
    const reset = sim.requests.find((e) => e.fault === 'reset');
    assert.equal(reset?.status, null);
  });

  await withSim({ honourIdempotencyKey: true }, async (sim) => {
    const file = (await upload(sim, chatLines(['d1']), 'batch')).json;
    sim.setFaults({ dropAfterCreate: 1 });
    const body = { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' };
    const headers = { ...OPENAI, 'idempotency-key': 'create-once' };
    await assert.rejects(call(sim, 'POST', '/v1/batches', headers, body), 'the connection drops after the create');
    assert.equal(sim.state.batches().length, 1, 'yet the batch exists');
    const retry = await call(sim, 'POST', '/v1/batches', headers, body);
    assert.equal(retry.status, 200);
    assert.equal(retry.json.id, sim.state.batches()[0].id);
    assert.equal(sim.state.batches().length, 1, 'exactly one batch after the retry');
    assert.deepEqual(
      sim.requests.filter((e) => e.path === '/v1/batches').map((e) => [e.status, e.fault, e.replayed]),
      [
        [null, 'drop_after_create', false],
        [200, null, true],
      ],
    );
  });
});

test('faults after commit: the create is stored, then the response is lost, a 500, or late; a faithful retry creates again', async () => {
  await withSim({}, async (sim) => {
    const file = (await upload(sim, chatLines(['c1']), 'batch')).json;
    const body = { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' };
    const headers = { ...OPENAI, 'idempotency-key': 'same-key' };
    sim.setFaults({
      rules: [
        { kind: 'lost_response', method: 'POST', path: '^/v1/batches$', times: 1 },
        { kind: 'error_after_commit', method: 'POST', path: '^/v1/batches$', times: 1 },
        { kind: 'slow_after_commit', method: 'POST', path: '^/v1/batches$', times: 1, delayMs: 400 },
      ],
    });
    await assert.rejects(call(sim, 'POST', '/v1/batches', headers, body), 'the connection is cut after the create');
    assert.equal(sim.state.batches().length, 1, 'yet the batch exists');
    const err = await call(sim, 'POST', '/v1/batches', headers, body);
    assert.deepEqual([err.status, err.json.error.type], [500, 'server_error']);
    assert.equal(sim.state.batches().length, 2, 'the 500 came after a second batch was stored');
    const t0 = Date.now();
    const late = await call(sim, 'POST', '/v1/batches', headers, body);
    assert.ok(Date.now() - t0 >= 390, 'answered late');
    assert.equal(late.status, 200);
    assert.equal(sim.state.batches().length, 3);
    assert.ok(sim.state.batches().some((b) => b.id === late.json.id));
    assert.deepEqual(
      sim.requests.filter((e) => e.path === '/v1/batches').map((e) => [e.status, e.fault, e.committed]),
      [
        [null, 'lost_response', true],
        [500, 'error_after_commit', true],
        [200, 'slow_after_commit', true],
      ],
    );
    // a create refused by validation commits nothing, so an after-commit rule does not fire on it
    sim.setFaults({ rules: [{ kind: 'lost_response', method: 'POST', path: '^/v1/batches$', times: 1 }] });
    const bad = await call(sim, 'POST', '/v1/batches', OPENAI, { ...body, completion_window: '1h' });
    assert.equal(bad.status, 400);
    assert.equal(sim.requests.at(-1)?.fault, null);
  });
});

test('OpenAI batch outcomes on request: cancelled by someone else, completed with an error file, every request failed', async () => {
  await withSim({}, async (sim) => {
    const cancelled = await createBatch(sim, chatLines(['a', 'b', 'c', 'd'], () => ({ model: 'sim-cancel' })));
    const { value: c, seen } = await pollBatch(sim, cancelled.json.id, ['cancelled', 'completed', 'failed']);
    assert.deepEqual(seen, ['validating', 'in_progress', 'cancelling', 'cancelled']);
    assert.equal(c.request_counts.total, 4);
    assert.equal(c.request_counts.completed + c.request_counts.failed, 4);
    assert.ok(c.request_counts.failed >= 2, 'the requests not run are counted failed');
    const cutOff = jsonl((await call(sim, 'GET', `/v1/files/${c.error_file_id}/content`, OPENAI)).text);
    assert.ok(cutOff.every((l) => l.error.code === 'batch_cancelled'));

    const someFail = await createBatch(sim, chatLines(['ok', 'bad'], (id) => (id === 'bad' ? { simulate_error: true } : {})));
    const { value: partial } = await pollBatch(sim, someFail.json.id, ['completed', 'failed']);
    assert.equal(partial.status, 'completed');
    assert.match(partial.output_file_id, /^file-/);
    assert.match(partial.error_file_id, /^file-/);
    assert.deepEqual(partial.request_counts, { total: 2, completed: 1, failed: 1 });

    const allFail = await createBatch(sim, chatLines(['x', 'y'], () => ({ simulate_error: true })));
    const { value: none } = await pollBatch(sim, allFail.json.id, ['completed', 'failed']);
    assert.equal(none.status, 'completed', 'a batch whose every request failed still completes');
    assert.equal(none.output_file_id, null);
    assert.match(none.error_file_id, /^file-/);
    assert.deepEqual(none.request_counts, { total: 2, completed: 0, failed: 2 });
    const refused = await call(sim, 'POST', `/v1/batches/${none.id}/cancel`, OPENAI);
    assert.deepEqual([refused.status, refused.json.error.type], [400, 'invalid_request_error']);
  });
});

test('reset() forgets objects and the log; setOutcome forces failures', async () => {
  await withSim({ outcome: { openaiBatch: 'failed' } }, async (sim) => {
    const created = await createBatch(sim, chatLines(['o1']));
    const { value } = await pollBatch(sim, created.json.id, ['failed', 'completed']);
    assert.equal(value.status, 'failed');
    assert.equal(value.errors.data[0].code, 'simulated_failure');
    sim.setOutcome({});
    sim.reset();
    assert.equal(sim.requests.length, 0);
    assert.equal(sim.state.batches().length, 0);
    assert.equal((await call(sim, 'GET', `/v1/batches/${created.json.id}`, OPENAI)).status, 404);
    const fresh = await createBatch(sim, chatLines(['o2']));
    assert.equal((await pollBatch(sim, fresh.json.id, ['failed', 'completed'])).value.status, 'completed');
  });
});
