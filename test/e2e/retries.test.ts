// Runs started through the CLI, as users start them, against a CLI worker that must stay up whatever the API
// answers: a plain poll loop with the default policy; 503 with every kind of Retry-After; 429 without a hint;
// heartbeat details left by an older version; the document's own retry policy against transport retries; and the
// rate-limit headers exactly as OpenAI and Anthropic send them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { workflowBundle } from '../../src/worker';
import { cli } from '../helpers/cli';
import { startStack, spawnWorker, waitFor, type Stack } from '../helpers/stack';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'retries');
let stack: Stack;
let api: ScriptedServer;
let worker: ChildProcess & { output: string[] };
let workerPid: number;

before(async () => {
  stack = await startStack({ inProcessWorker: false });
  api = await startScriptedServer();
  worker = await spawnWorker(stack.server.address);
  workerPid = worker.pid!;
});
after(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await api?.close();
  await stack?.stop();
});

/** `run` of a fixture document through the CLI, against the scripted API; no poll flags: the default policy. */
const run = (doc: string, workflow: string, key: string) =>
  cli('run', join(FIXTURES, doc), '--workflow', workflow, '-i', `key=${key}`, '--server', `api=${api.url}`, '--address', stack.server.address, '--json', '--no-progress');

function assertWorkerUp(): void {
  assert.equal(worker.exitCode, null, `the worker exited: ${worker.output.join('').slice(-2000)}`);
  assert.equal(worker.pid, workerPid);
  assert.doesNotThrow(() => process.kill(workerPid, 0), 'the worker process is alive');
  assert.doesNotMatch(worker.output.join(''), /Invalid millis|IllegalStateError|should have been disposed/);
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);
const SLACK_MS = 50; // a timer may fire a hair before the millisecond the server named

test('a plain poll loop (goto itself while status != done) with the default policy completes', async () => {
  api.doneAfter('poll-1', 3);
  const r = await run('poll-loop.arazzo.yaml', 'poll-loop', 'poll-1');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { status: 'done', polls: 3 });
  assert.equal(api.hits('poll-1').length, 3);
  // default policy: 1 s, then 2 s
  const [first, second] = gaps(api.hits('poll-1'));
  assert.ok(first >= 1000 - SLACK_MS && second >= 2000 - SLACK_MS, `poll gaps ${gaps(api.hits('poll-1'))}`);
  assertWorkerUp();
});

const unavailable = (headers: Record<string, string | (() => string)>) => ({ status: 503, headers, body: { error: { message: 'temporarily unavailable' } } });

for (const [name, header, minGapMs] of [
  ['Retry-After: 1', { 'retry-after': '1' }, 1000],
  ['Retry-After: 0', { 'retry-after': '0' }, 0],
  ['Retry-After as an HTTP date 2 s ahead', { 'retry-after': () => new Date(Date.now() + 2000).toUTCString() }, 1000],
  ['Retry-After: garbage', { 'retry-after': 'soon-ish' }, 0],
  ['Retry-After: -5', { 'retry-after': '-5' }, 0],
  ['Retry-After: NaN and retry-after-ms: Infinity', { 'retry-after': 'NaN', 'retry-after-ms': 'Infinity' }, 0],
  ['Retry-After: 1e999', { 'retry-after': '1e999' }, 0],
] as const) {
  test(`503 with ${name}: retried, the run completes, the worker stays up`, async () => {
    const key = `503-${name.replace(/\W+/g, '-')}`;
    api.script(key, [unavailable(header), unavailable(header)]);
    const r = await run('call.arazzo.yaml', 'call', key);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { calls: 3 }, 'two 503s, then the 200');
    for (const gap of gaps(api.hits(key))) assert.ok(gap >= minGapMs - SLACK_MS, `${name}: retried after ${gap} ms`);
    assertWorkerUp();
  });
}

test('429 with no hint: backoff, the run completes', async () => {
  api.script('429-bare', [{ status: 429, body: { error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } } }]);
  const r = await run('call.arazzo.yaml', 'call', '429-bare');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { calls: 2 });
  assert.ok(gaps(api.hits('429-bare'))[0] >= 750 - SLACK_MS, 'first backoff is 0.75–1 s');
  assertWorkerUp();
});

test("the document's retry action governs a matching 503: retryLimit 2 makes 3 attempts, then the step fails", async () => {
  api.script('doc-limit', Array.from({ length: 10 }, () => unavailable({ 'retry-after': '0' })));
  const r = await run('call.arazzo.yaml', 'call-with-retry', 'doc-limit');
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /call/);
  assert.match(r.stderr, /503/);
  assert.equal(api.hits('doc-limit').length, 3, 'one attempt and two retries, none hidden by transport retries');
  // retryAfter: 1 wins over the server's Retry-After: 0
  for (const gap of gaps(api.hits('doc-limit'))) assert.ok(gap >= 1000 - SLACK_MS, `retried after ${gap} ms, before retryAfter`);
  assertWorkerUp();
});

test("the document's retry waits the server's hint when it is longer than retryAfter, and succeeds within its limit", async () => {
  api.script('doc-hint', [unavailable({ 'retry-after': '2' }), unavailable({ 'retry-after': '2' })]);
  const r = await run('call.arazzo.yaml', 'call-with-retry', 'doc-hint');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { calls: 3 });
  for (const gap of gaps(api.hits('doc-hint'))) assert.ok(gap >= 2000 - SLACK_MS, `retried after ${gap} ms, before the server's Retry-After: 2`);
  assertWorkerUp();
});

test('where the document says nothing (a 502 its retry criteria do not match), transport retries apply', async () => {
  const bad = { status: 502, body: { error: { message: 'bad gateway' } } };
  api.script('doc-silent', [bad, bad, bad]);
  const r = await run('call.arazzo.yaml', 'call-with-retry', 'doc-silent');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { calls: 4 }, 'three 502s retried transparently, beyond retryLimit 2');
  assertWorkerUp();
});

// Header shapes: OpenAI https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers (durations);
// Anthropic https://docs.anthropic.com/en/api/rate-limits (retry-after seconds, RFC 3339 resets).
test('OpenAI 429 with only x-ratelimit-* headers: not retried before the exhausted limit resets', async () => {
  const openai429 = {
    status: 429,
    headers: {
      'x-request-id': 'req_5b2c1a',
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-requests': '1.5s',
      'x-ratelimit-reset-tokens': '6m0s',
    },
    body: { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
  };
  api.script('openai-429', [openai429]);
  const r = await run('call.arazzo.yaml', 'call', 'openai-429');
  assert.equal(r.code, 0, r.stderr);
  const [gap] = gaps(api.hits('openai-429'));
  assert.ok(gap >= 1500 - SLACK_MS, `retried after ${gap} ms, before x-ratelimit-reset-requests 1.5s`);
  assert.ok(gap < 60_000, 'the tokens reset (6m0s) does not apply: that limit was not hit');
  assertWorkerUp();
});

test('Anthropic 429 with retry-after and anthropic-ratelimit-*-reset: the later of retry-after and the reset of the limit hit', async () => {
  const at = (ms: number) => () => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const anthropic429 = {
    status: 429,
    headers: {
      'request-id': 'req_011CTest',
      'retry-after': '1',
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': at(2000),
      'anthropic-ratelimit-tokens-limit': '40000',
      'anthropic-ratelimit-tokens-remaining': '39000',
      'anthropic-ratelimit-tokens-reset': at(120_000),
    },
    body: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' }, request_id: 'req_011CTest' },
  };
  api.script('anthropic-429', [anthropic429]);
  const before = Date.now();
  const r = await run('call.arazzo.yaml', 'call', 'anthropic-429');
  assert.equal(r.code, 0, r.stderr);
  const [first, second] = api.hits('anthropic-429');
  const reset = Math.ceil((first + 2000) / 1000) * 1000;
  assert.ok(second >= reset - SLACK_MS, `retried ${reset - second} ms before anthropic-ratelimit-requests-reset`);
  assert.ok(second - before < 60_000, 'the tokens reset does not apply: that limit was not hit');
  assertWorkerUp();
});

test('x-should-retry: false on a 503 is final: one request, the run fails with the message', async () => {
  api.script('no-retry', [{ status: 503, headers: { 'x-should-retry': 'false' }, body: { error: { message: 'do not try again' } } }]);
  const r = await run('call.arazzo.yaml', 'call', 'no-retry');
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /do not try again|503/);
  assert.equal(api.hits('no-retry').length, 1);
  assertWorkerUp();
});

test('heartbeat details from an older version (another shape) do not hurt the next attempt', async () => {
  // An "older" worker runs the first attempt of the step: it heartbeats details of a shape this version never
  // wrote, then asks for a retry. The current CLI worker takes the retry with those details in activityInfo().
  const legacyCalls: unknown[] = [];
  const legacyQueue = `legacy-${Date.now()}`;
  const { NativeConnection } = await import('@temporalio/worker');
  const connection = await NativeConnection.connect({ address: stack.server.address });
  const legacy = await Worker.create({
    connection,
    taskQueue: legacyQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      async runStep(input: unknown) {
        legacyCalls.push(input);
        const { heartbeat } = await import('@temporalio/activity');
        heartbeat(['v0', { transientFailures: 'three', failures: -1 }, NaN]);
        setTimeout(() => legacy.shutdown(), 500);
        throw ApplicationFailure.create({ message: 'legacy attempt', type: 'ArazzoHttp503', nextRetryDelay: 3000 });
      },
      async cancelCreated() {
        throw new Error('unused');
      },
    },
  });
  const legacyDone = legacy.run();
  // the run's workflow task and its first activity go to the legacy queue; the retry, once the legacy worker is
  // gone, is taken by an activity-only CLI worker on the same queue
  const start = cli('start', join(FIXTURES, 'call.arazzo.yaml'), '--workflow', 'call', '-i', 'key=legacy-hb', '--server', `api=${api.url}`, '--address', stack.server.address, '--task-queue', legacyQueue);
  const started = await start;
  assert.equal(started.code, 0, started.stderr);
  const workflowId = started.stdout.trim();
  await legacyDone;
  await connection.close();
  assert.equal(legacyCalls.length, 1, 'the legacy worker ran the first attempt');
  const described = await stack.client.client.workflow.getHandle(workflowId).describe();
  const pending = described.raw.pendingActivities?.[0];
  assert.ok(pending?.heartbeatDetails?.payloads?.length, 'the legacy heartbeat details are on the pending activity');
  const second = await import('node:child_process').then(({ spawn }) =>
    spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js'), 'worker', '--address', stack.server.address, '--task-queue', legacyQueue], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const output: string[] = [];
  second.stdout.on('data', (c) => output.push(String(c)));
  second.stderr.on('data', (c) => output.push(String(c)));
  try {
    const result = await cli('result', workflowId, '--json', '--address', stack.server.address, '--task-queue', legacyQueue);
    assert.equal(result.code, 0, result.stderr + output.join(''));
    assert.deepEqual(JSON.parse(result.stdout), { calls: 1 }, 'the current worker made the one real request');
    assert.equal(second.exitCode, null, `the worker that read the old details exited: ${output.join('')}`);
    assert.doesNotMatch(output.join(''), /Invalid millis|IllegalStateError/);
  } finally {
    const exited = new Promise((r) => second.once('exit', r));
    second.kill('SIGTERM');
    await waitFor('the second worker to stop', () => exited.then(() => true), 20_000);
  }
  assertWorkerUp();
});
