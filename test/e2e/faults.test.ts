// Rate limits, transient errors and permanent errors, end to end: the simulator's fault rules (and a small
// proxy in front of it for statuses the simulator does not produce) answer a real run; the simulator's
// request log shows when each retry arrived. Transient failures are retried — never earlier than the
// provider's retry-after-ms / Retry-After, otherwise with exponential backoff — and the run completes with
// correct outputs; permanent errors fail the step at once with the provider's message and no key; a create
// whose response is lost is never sent again blindly: reconciled, or stopped with "outcome unknown" and resolved.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { WorkflowFailedError } from '@temporalio/client';
import { failureMessage } from '../../src/client';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { assertNoKey, at, gaps, requestsTo, seedRun, type SeedName } from '../helpers/runs';
import { OPENAI_KEY, startStack, waitFor, type Stack } from '../helpers/stack';
import { progressQuery } from '../../src/workflows/queries';

let stack: Stack;
let proxy: FaultProxy;
before(async () => {
  stack = await startStack();
  proxy = await startFaultProxy(stack.simulator.url);
});
after(async () => {
  await proxy?.close();
  await stack?.stop();
});
beforeEach(() => {
  stack.simulator.setFaults({});
  stack.simulator.setTiming('fast');
  stack.simulator.reset();
  proxy.script([]);
});

/** The run's step that stopped with "outcome unknown", once it waits for resolve. */
const waitForOutcomeUnknown = (workflowId: string) =>
  waitFor('the outcome-unknown stop', async () => (await stack.client.handle(workflowId).query(progressQuery)).outcomeUnknown, 30_000, 200);

const jsonl = (text: unknown) => String(text).split('\n').filter(Boolean).map((l) => JSON.parse(l));
const run = (name: SeedName, extra: Parameters<typeof seedRun>[2] = {}) => stack.client.run(seedRun(name, stack.simulator.url, extra));

/** The outputs of a completed batch job, checked against the simulator's state. */
function assertBatchJobOutputs(outputs: Record<string, unknown>): void {
  assert.match(String(outputs.batchId), /^batch_/);
  assert.match(String(outputs.outputFileId), /^file-/);
  const batch = stack.simulator.state.batches().find((b) => b.id === outputs.batchId);
  assert.equal(batch?.status, 'completed');
  assert.equal(batch?.output_file_id, outputs.outputFileId);
}

/** Only objects the run created: input files are the ones with purpose batch / fine-tune. */
const inputFiles = () => stack.simulator.state.files().filter((f) => f.purpose === 'batch' || f.purpose === 'fine-tune');

describe('transient errors are retried, never earlier than the provider asks', () => {
  test('429 with retry-after-ms on POST /v1/batches: each retry waits at least retry-after-ms; one batch; correct outputs', async (t) => {
    const retryAfterMs = 1700; // retry-after: 2 (seconds, rounded up), retry-after-ms: 1700
    stack.simulator.setFaults({ rules: [{ kind: 'rate_limit', method: 'POST', path: '^/v1/batches$', times: 2, retryAfterMs, hint: 'retry-after-ms' }] });
    const { outputs } = await run('openai-batch-job');
    assertBatchJobOutputs(outputs);

    const creates = requestsTo(stack.simulator, 'POST', /^\/v1\/batches$/);
    assert.deepEqual(creates.map((r) => r.status), [429, 429, 200]);
    t.diagnostic(`retries after the 429s (retry-after-ms ${retryAfterMs}): ${gaps(creates).join(', ')} ms`);
    assert.deepEqual(creates.map((r) => r.fault), ['rate_limit', 'rate_limit', null]);
    for (const [i, gap] of gaps(creates).entries()) {
      assert.ok(gap >= retryAfterMs, `retry ${i + 1} came ${gap} ms after the 429, earlier than retry-after-ms ${retryAfterMs}`);
      // retry-after-ms is preferred over the coarser retry-after (2 s); a generous bound keeps this robust on a busy machine
      assert.ok(gap < retryAfterMs + 4000, `retry ${i + 1} came ${gap} ms after the 429: retry-after-ms was not followed`);
    }
    assert.equal(new Set(creates.map((r) => r.idempotencyKey)).size, 1, 'every attempt of the create carries the same Idempotency-Key');
    assert.equal(stack.simulator.state.batches().length, 1);
    assert.equal(inputFiles().length, 1);
  });

  test('408 and 409 back off exponentially; a seconds-only Retry-After and an HTTP-date Retry-After are honoured; 502 is retried', async () => {
    const err = (message: string, type = 'server_error') => ({ error: { message, type, param: null, code: null } });
    let announced = 0; // the HTTP date the 503 announced
    const poll = /^\/v1\/batches\/[^/]+$/;
    proxy.script([
      // a GET may always be sent again; a create only on a 429/529 (request-safety.ts)
      { method: 'GET', path: poll, status: 408, body: err('Request timed out.', 'timeout') },
      { method: 'GET', path: poll, status: 409, body: err('Another request with this key is in progress.', 'conflict') },
      { method: 'POST', path: /^\/v1\/batches$/, status: 429, headers: { 'retry-after': '2' }, body: err('Rate limit reached for requests.', 'requests') },
      {
        method: 'GET',
        path: poll,
        status: 503,
        headers: (now) => {
          const date = new Date(now + 3000).toUTCString(); // second resolution: between 2 and 3 s ahead
          announced = Date.parse(date);
          return { 'retry-after': date };
        },
        body: err('The engine is currently overloaded, please try again later.'),
      },
      { method: 'GET', path: poll, status: 502, body: err('Bad gateway.') },
    ]);
    const { outputs } = await stack.client.run(seedRun('openai-batch-job', proxy.url));
    assertBatchJobOutputs(outputs);

    const batches = proxy.requests.filter((r) => r.method === 'POST' && r.path === '/v1/batches');
    assert.deepEqual(batches.map((r) => r.scripted), [429, undefined]);
    assert.ok(gaps(batches)[0] >= 2000, `the retry after "Retry-After: 2" came after ${gaps(batches)[0]} ms`);

    const polls = proxy.requests.filter((r) => r.method === 'GET' && poll.test(r.path));
    assert.deepEqual(polls.slice(0, 4).map((r) => r.scripted), [408, 409, 503, 502]);
    const [g1, g2, , g4] = gaps(polls);
    // backoff with jitter: attempt 1 waits 750–1000 ms, attempt 2 1500–2000 ms
    assert.ok(g1 >= 750, `first retry after a 408 came after ${g1} ms`);
    assert.ok(g2 >= 1500, `second retry (after a 409) came after ${g2} ms: the backoff did not grow`);
    assert.ok(polls[3].at >= announced, `the retry after the 503 came ${announced - polls[3].at} ms before the Retry-After date`);
    assert.ok(g4 >= 750, `the retry after the 502 came after ${g4} ms`);

    assert.equal(stack.simulator.count('POST', '/v1/files'), 1);
    assert.equal(stack.simulator.count('POST', '/v1/batches'), 1, 'the scripted 429 never reached the simulator');
  });

  test('Anthropic: 500 on create stops with outcome unknown, resolved with resend; 529 overloaded and a slow poll, a reset on the results — the run completes', async () => {
    stack.simulator.setFaults({
      rules: [
        { kind: 'server_error', method: 'POST', path: '^/v1/messages/batches$', times: 1 },
        { kind: 'overloaded', method: 'GET', path: '^/v1/messages/batches/[^/]+$', times: 2 },
        { kind: 'slow', method: 'GET', path: '^/v1/messages/batches/[^/]+$', times: 1, delayMs: 1500 },
        { kind: 'reset', method: 'GET', path: '/results$', times: 1 },
      ],
    });
    const started = await stack.client.start(seedRun('anthropic-batch-create-poll-results', stack.simulator.url));
    const waiting = await waitForOutcomeUnknown(started.workflowId);
    assert.equal(waiting.stepId, 'createBatch');
    assert.match(waiting.message, /step createBatch: outcome unknown: POST http:\/\/127\.0\.0\.1:\d+\/v1\/messages\/batches .*HTTP 500/);
    assert.match(waiting.message, /provider's console/);
    assert.match(waiting.message, new RegExp(`resolve ${started.workflowId} --step createBatch --use-id`));
    assertNoKey(waiting.message);
    const creates = () => requestsTo(stack.simulator, 'POST', /^\/v1\/messages\/batches$/);
    assert.deepEqual(creates().map((r) => r.status), [500], 'the 500 was not retried by itself');
    // a resolution for another step is refused; the run keeps waiting
    await assert.rejects(stack.client.resolve(started.workflowId, { stepId: 'pollBatch', resend: true }), /step pollBatch is not waiting; step createBatch is/);
    assert.deepEqual(await stack.client.resolve(started.workflowId, { stepId: 'createBatch', resend: true }), { stepId: 'createBatch', resolution: 'resend' });
    const { outputs } = await started.handle.result();
    assert.match(String(outputs.batchId), /^msgbatch_/);
    assert.equal(outputs.processingStatus, 'ended');
    const lines = jsonl(outputs.results);
    assert.deepEqual(lines.map((l) => l.custom_id).sort(), ['greeting-de', 'greeting-fr']);
    for (const l of lines) assert.equal(l.result.type, 'succeeded');
    assert.deepEqual(creates().map((r) => r.status), [500, 200]);
    assert.equal(new Set(creates().map((r) => r.idempotencyKey)).size, 1);
    assert.equal(stack.simulator.state.messageBatches().length, 1);

    const polls = requestsTo(stack.simulator, 'GET', /^\/v1\/messages\/batches\/[^/]+$/);
    assert.deepEqual(polls.slice(0, 2).map((r) => [r.status, r.fault]), [[529, 'overloaded'], [529, 'overloaded']]);
    assert.ok(polls[2].durationMs >= 1500, 'the third poll was answered slowly (slow rules log no fault)');
    const [p1, p2] = gaps(polls);
    assert.ok(p1 >= 750, `first retry after a 529 came after ${p1} ms`);
    assert.ok(p2 >= 1500, `second retry after a 529 came after ${p2} ms: the backoff did not grow`);

    const results = requestsTo(stack.simulator, 'GET', /\/results$/);
    assert.deepEqual(results.map((r) => [r.status, r.fault]), [[null, 'reset'], [200, null]]);
    assert.ok(gaps(results)[0] >= 750);
  });

  test('a transient error after many polls backs off from the start, not from the poll count', async (t) => {
    stack.simulator.setTiming({ messageBatchInProgressMs: 8000 });
    const started = await stack.client.start(seedRun('anthropic-batch-create-poll-results', stack.simulator.url, { poll: { initialIntervalMs: 200, maxIntervalMs: 200 } }));
    const polls = () => requestsTo(stack.simulator, 'GET', /^\/v1\/messages\/batches\/[^/]+$/);
    await waitFor('eight polls', () => polls().length >= 8, 20_000, 20);
    stack.simulator.setFaults({ rules: [{ kind: 'overloaded', method: 'GET', path: '^/v1/messages/batches/[^/]+$', times: 1 }] });
    const failed = await waitFor('the 529', () => polls().find((r) => r.status === 529), 10_000, 20);
    const next = await waitFor('the poll after the 529', () => polls().find((r) => r.seq > failed.seq), 20_000, 20);
    const gap = at(next) - at(failed);
    t.diagnostic(`a 529 after ${polls().indexOf(failed)} polls: the next request came ${gap} ms later`);
    assert.ok(gap >= 750, `the retry came after ${gap} ms`);
    assert.ok(gap < 8000, `one 529 after ${polls().indexOf(failed)} polls delayed the next request by ${gap} ms: the backoff counted the polls as failures`);
    const { outputs } = await started.handle.result();
    assert.equal(outputs.processingStatus, 'ended');
  });

  test('a create slower than the attempt timeout: the next attempt finds the batch the first made (reconcile); one POST, one batch', async () => {
    stack.simulator.setFaults({ rules: [{ kind: 'slow_after_commit', method: 'POST', path: '^/v1/batches$', times: 1, delayMs: 2500 }] });
    const { outputs } = await run('openai-batch-job', { options: { attemptTimeout: '1s' } });
    assertBatchJobOutputs(outputs);
    const creates = requestsTo(stack.simulator, 'POST', /^\/v1\/batches$/);
    assert.equal(creates.length, 1, 'the create was not sent again');
    const lookups = requestsTo(stack.simulator, 'GET', /^\/v1\/batches$/);
    assert.ok(lookups.length >= 1 && lookups[0].seq > creates[0].seq, 'the next attempt listed the batches');
    assert.equal(stack.simulator.state.batches().length, 1);
    assert.equal(stack.simulator.state.batches()[0].metadata?.arazzo_request, creates[0].idempotencyKey, 'the batch carries the marker');
  });
});

describe('permanent errors fail the step at once, with the provider message and no key', () => {
  const failsAtOnce = async (req: Promise<unknown>, check: (msg: string) => void) => {
    const t0 = Date.now();
    await assert.rejects(req, (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      const msg = failureMessage(err);
      check(msg);
      assertNoKey(msg);
      let e: unknown = err;
      for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) assertNoKey(`${e.message}\n${e.stack ?? ''}`);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000, `the run took ${Date.now() - t0} ms to fail`);
  };

  test('OpenAI insufficient_quota (a 429 that is not a rate limit): one request, the provider message', async () => {
    stack.simulator.setFaults({ rules: [{ kind: 'insufficient_quota', method: 'POST', path: '^/v1/files$' }] });
    await failsAtOnce(run('openai-batch-job'), (msg) => {
      assert.match(msg, /step uploadInput failed: HTTP 429/);
      assert.match(msg, /insufficient_quota/);
      assert.match(msg, /You exceeded your current quota/);
    });
    assert.equal(stack.simulator.count('POST', '/v1/files'), 1);
    assert.equal(stack.simulator.requests.length, 1);
  });

  test('Anthropic spend limit (429 enforced_spend_limit_reached): one request, the provider message', async () => {
    stack.simulator.setFaults({ rules: [{ kind: 'insufficient_quota', method: 'POST', path: '^/v1/messages/batches$' }] });
    await failsAtOnce(run('anthropic-batch-create-poll-results'), (msg) => {
      assert.match(msg, /step createBatch failed: HTTP 429/);
      assert.match(msg, /workspace API usage limits/);
    });
    assert.equal(stack.simulator.requests.length, 1);
  });

  test('401 from Anthropic: one request, the provider message', async () => {
    process.env.WRONG_ANTHROPIC_KEY = 'fake-anthropic-wrong-00112233445566778899';
    await failsAtOnce(run('anthropic-batch-create-poll-results', { inputs: { apiKey: { $secret: 'WRONG_ANTHROPIC_KEY' } } }), (msg) => {
      assert.match(msg, /step createBatch failed: HTTP 401/);
      assert.match(msg, /invalid x-api-key/);
      assert.ok(!msg.includes('fake-anthropic-wrong-00112233445566778899'), msg);
    });
    assert.equal(stack.simulator.requests.length, 1);
  });

  test('403 whose message echoes the credential: one request, the message without the key', async () => {
    proxy.script([
      {
        method: 'POST',
        path: /^\/v1\/files$/,
        status: 403,
        body: (headers: IncomingHttpHeaders) => ({
          error: { message: `Country, region, or territory not supported (credential: ${headers.authorization}).`, type: 'request_forbidden', param: null, code: 'unsupported_country_region_territory' },
        }),
      },
    ]);
    await failsAtOnce(stack.client.run(seedRun('openai-batch-job', proxy.url)), (msg) => {
      assert.match(msg, /step uploadInput failed: HTTP 403/);
      assert.match(msg, /Country, region, or territory not supported/);
      assert.ok(!msg.includes(OPENAI_KEY));
    });
    assert.equal(proxy.requests.length, 1);
  });

  test('404 (no such batch): one request, the provider message', async () => {
    await failsAtOnce(run('openai-download-batch-results', { inputs: { batchId: 'batch_doesnotexist' } }), (msg) => {
      assert.match(msg, /step getBatch failed: HTTP 404/);
      assert.match(msg, /No batch found with id 'batch_doesnotexist'/);
    });
    assert.equal(stack.simulator.requests.length, 1);
  });
});

describe('no duplicate creates when a create response is lost (the simulator does not honour Idempotency-Key)', () => {
  /** The create was processed and its response lost, then never sent again. */
  const assertSentOnce = (path: RegExp) => {
    const creates = requestsTo(stack.simulator, 'POST', path);
    assert.deepEqual(creates.map((r) => [r.status, r.fault]), [[null, 'drop_after_create']], `${path}: ${JSON.stringify(creates)}`);
    assert.ok(creates[0].idempotencyKey, 'the create carries an Idempotency-Key');
  };
  /** An upload (no way to reconcile) stops with outcome unknown; the operator names the file the simulator holds. */
  const resolveUpload = async (workflowId: string, stepId: string) => {
    const waiting = await waitForOutcomeUnknown(workflowId);
    assert.equal(waiting.stepId, stepId);
    assert.match(waiting.message, new RegExp(`step ${stepId}: outcome unknown: POST http://127\\.0\\.0\\.1:\\d+/v1/files `));
    assert.equal(inputFiles().length, 1);
    await stack.client.resolve(workflowId, { stepId, useId: inputFiles()[0].id });
  };

  test('batch job: the upload stops with outcome unknown and is resolved with the file id; the lost batch create is reconciled; one file, one batch', async () => {
    stack.simulator.setFaults({ dropAfterCreate: 2 });
    const started = await stack.client.start(seedRun('openai-batch-job', stack.simulator.url));
    await resolveUpload(started.workflowId, 'uploadInput');
    const { outputs } = await started.handle.result();
    assertBatchJobOutputs(outputs);
    assertSentOnce(/^\/v1\/files$/);
    assertSentOnce(/^\/v1\/batches$/);
    assert.ok(requestsTo(stack.simulator, 'GET', /^\/v1\/batches$/).length >= 1, 'the batches were listed to reconcile');
    assert.equal(stack.simulator.state.batches().length, 1);
    assert.equal(stack.simulator.state.batches()[0].input_file_id, inputFiles()[0].id, 'the batch uses the file the operator named');
    assert.equal(inputFiles().length, 1);
  });

  test('fine-tuning job: one file (resolved), one job (reconciled)', async () => {
    stack.simulator.setFaults({ dropAfterCreate: 2 });
    const started = await stack.client.start(seedRun('openai-fine-tuning-job', stack.simulator.url));
    await resolveUpload(started.workflowId, 'uploadTrainingFile');
    const { outputs } = await started.handle.result();
    assert.match(String(outputs.fineTunedModel), /^ft:/);
    assertSentOnce(/^\/v1\/files$/);
    assertSentOnce(/^\/v1\/fine_tuning\/jobs$/);
    assert.ok(requestsTo(stack.simulator, 'GET', /^\/v1\/fine_tuning\/jobs$/).length >= 1, 'the jobs were listed to reconcile');
    assert.equal(stack.simulator.state.fineTuningJobs().length, 1);
    assert.equal(inputFiles().length, 1);
  });

  test('Anthropic batch: outcome unknown (nothing to reconcile with), resolved with the id; one message batch', async () => {
    stack.simulator.setFaults({ dropAfterCreate: 1 });
    const started = await stack.client.start(seedRun('anthropic-batch-create-poll-results', stack.simulator.url));
    const waiting = await waitForOutcomeUnknown(started.workflowId);
    assert.equal(waiting.stepId, 'createBatch');
    assertSentOnce(/^\/v1\/messages\/batches$/);
    assert.equal(stack.simulator.state.messageBatches().length, 1);
    await stack.client.resolve(started.workflowId, { stepId: 'createBatch', useId: stack.simulator.state.messageBatches()[0].id });
    const { outputs } = await started.handle.result();
    assert.equal(outputs.batchId, stack.simulator.state.messageBatches()[0].id);
    assert.equal(outputs.processingStatus, 'ended');
    assertSentOnce(/^\/v1\/messages\/batches$/);
    assert.equal(stack.simulator.state.messageBatches().length, 1);
  });
});
