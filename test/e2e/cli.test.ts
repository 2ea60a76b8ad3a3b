// The CLI contract, exercised as a user would: the real `arazzo-temporal` command in a child process,
// against the dev server, a worker and the simulator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { cli } from '../helpers/cli';
import { startStack, waitFor, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack?.stop());

const conn = () => ['--address', stack.server.address];
const fastPoll = ['--poll-interval', '200ms', '--poll-max-interval', '1s'];
const batchDoc = 'arazzo/openai-batch-job.arazzo.yaml';
const batchArgs = () => ['--inputs', 'examples/inputs/openai-batch-job.json', '--server', `openaiApi=${stack.simulator.url}/v1`, ...fastPoll, ...conn()];

test('run --json prints only the outputs object and exits 0', async () => {
  const r = await cli('run', batchDoc, ...batchArgs(), '--json');
  assert.equal(r.code, 0, r.stderr);
  const outputs = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(outputs).sort(), ['batchId', 'outputFileId']);
  assert.match(outputs.outputFileId, /^file-/);
});

test('run with -i and --secret builds the inputs; a literal key gets a warning', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'train.jsonl');
  // 10 examples: the fewest the fine-tuning API accepts
  writeFileSync(file, Array.from({ length: 10 }, (_, i) => `{"messages":[{"role":"user","content":"q${i}"},{"role":"assistant","content":"a${i}"}]}\n`).join(''));
  const r = await cli('run', 'arazzo/openai-fine-tuning-job.arazzo.yaml', '-i', 'model=gpt-4o-mini', '-i', `trainingFile=@${file}`, '--secret', 'apiKey=OPENAI_API_KEY', '--server', `openaiApi=${stack.simulator.url}/v1`, ...fastPoll, ...conn(), '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).fineTunedModel, /^ft:gpt-4o-mini:/);
  const literal = await cli('validate', 'arazzo/openai-fine-tuning-job.arazzo.yaml', '-i', 'apiKey=sk-literal', '-i', 'model=m', '-i', 'trainingFile=x');
  assert.equal(literal.code, 0, literal.stderr);
  assert.match(literal.stderr, /input "apiKey" looks like a secret/);
});

test('start prints the workflow id; result --json waits and prints the outputs', async () => {
  const s = await cli('start', batchDoc, ...batchArgs());
  assert.equal(s.code, 0, s.stderr);
  const id = s.stdout.trim();
  assert.match(id, /^batch-job-\d{8}-\d{6}-[a-z0-9]{4}$/);
  const r = await cli('result', id, '--json', ...conn());
  assert.equal(r.code, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).batchId, /^batch_/);
});

test('cancel stops a running workflow; its result then fails', async () => {
  stack.simulator.setTiming({ messageBatchInProgressMs: 120_000 });
  try {
    const s = await cli('start', 'arazzo/anthropic-batch-create-poll-results.arazzo.yaml', '--inputs', 'examples/inputs/anthropic-batch-create-poll-results.json', '--server', `messageBatchesApi=${stack.simulator.url}/v1`, ...fastPoll, ...conn());
    assert.equal(s.code, 0, s.stderr);
    const id = s.stdout.trim();
    await waitFor('a poll', () => stack.simulator.requests.some((r) => r.method === 'GET' && /^\/v1\/messages\/batches\/msgbatch_/.test(r.path)));
    const c = await cli('cancel', id, ...conn());
    assert.equal(c.code, 0, c.stderr);
    const r = await cli('result', id, ...conn());
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cancel/i);
  } finally {
    stack.simulator.setTiming('fast');
  }
});

test('resolve: a lost create response stops the run with "outcome unknown"; resolve --use-id lets it finish; --overlay applies', async () => {
  stack.simulator.reset();
  stack.simulator.setFaults({ dropAfterCreate: 1 });
  try {
    const overlay = ['--overlay', 'overlays/anthropic-batch-create-poll-results.overlay.yaml'];
    const s = await cli('start', 'arazzo/anthropic-batch-create-poll-results.arazzo.yaml', ...overlay, '--inputs', 'examples/inputs/anthropic-batch-create-poll-results.json', '--server', `messageBatchesApi=${stack.simulator.url}/v1`, ...fastPoll, ...conn());
    assert.equal(s.code, 0, s.stderr);
    const id = s.stdout.trim();
    const early = await cli('resolve', id, '--step', 'pollBatch', '--resend', ...conn());
    assert.notEqual(early.code, 0);
    assert.match(early.stderr, /no step of this run is waiting|step pollBatch is not waiting/);
    await waitFor('the dropped create', () => stack.simulator.state.messageBatches()[0]);
    const usage = await cli('resolve', id, '--step', 'createBatch', ...conn());
    assert.notEqual(usage.code, 0);
    assert.match(usage.stderr, /exactly one of --use-id <id> or --resend/);
    const batchId = stack.simulator.state.messageBatches()[0].id;
    const r = await waitFor('the step to wait for resolve', async () => {
      const x = await cli('resolve', id, '--step', 'createBatch', '--use-id', batchId, ...conn());
      return x.code === 0 ? x : undefined;
    }, 30_000, 500);
    assert.match(r.stdout, /step createBatch of .* resolved \(use-id\); the run continues/);
    const res = await cli('result', id, '--json', ...conn());
    assert.equal(res.code, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout).batchId, batchId);
    assert.equal(stack.simulator.count('POST', '/v1/messages/batches'), 1);
    assert.equal(stack.simulator.state.messageBatches().length, 1);
  } finally {
    stack.simulator.setFaults({});
  }
});

test('validate: seeds pass with warnings naming file:line; a broken document fails and nothing starts', async () => {
  const ok = await cli('validate', batchDoc);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /arazzo\/openai-batch-job\.arazzo\.yaml:\d+:\d+: warning \[unbraced-expression\]/);
  const dir = mkdtempSync(join(tmpdir(), 'cli-bad-'));
  const bad = readFileSync(join(PROJECT_ROOT, batchDoc), 'utf8').replace('url: ../openapi/', `url: ${PROJECT_ROOT}/openapi/`).replace('stepId: getResult\n      criteria', 'stepId: getResults\n      criteria');
  writeFileSync(join(dir, 'bad.arazzo.yaml'), bad);
  const before = (await stack.client.client.workflow.count()).count;
  const r = await cli('run', join(dir, 'bad.arazzo.yaml'), ...batchArgs());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.arazzo\.yaml:\d+:\d+: error \[unknown-step\] \(workflow batch-job, step pollBatch\): action "batchCompleted" goes to step "getResults"/);
  assert.match(r.stderr, /nothing was started/);
  assert.equal((await stack.client.client.workflow.count()).count, before);
});

test('schedule create / list / delete go through Temporal Schedules', async () => {
  const c = await cli('schedule', 'create', 'nightly-batch', batchDoc, '--every', '24h', ...batchArgs());
  assert.equal(c.code, 0, c.stderr);
  const handle = stack.client.client.schedule.getHandle('nightly-batch');
  const desc = await handle.describe();
  assert.equal(desc.action.type, 'startWorkflow');
  const l = await cli('schedule', 'list', ...conn());
  assert.match(l.stdout, /nightly-batch/);
  const d = await cli('schedule', 'delete', 'nightly-batch', ...conn());
  assert.equal(d.code, 0, d.stderr);
  await assert.rejects(handle.describe());
  const both = await cli('schedule', 'create', 'x', batchDoc, '--cron', '0 * * * *', '--every', '1h', ...batchArgs());
  assert.equal(both.code, 2);
  assert.match(both.stderr, /exactly one of --cron or --every/);
});

test('--help lists the commands of the contract', async () => {
  const r = await cli('--help');
  assert.equal(r.code, 0);
  for (const cmd of ['run', 'start', 'result', 'cancel', 'status', 'watch', 'list', 'validate', 'schedule', 'worker', 'simulator', 'dev']) assert.match(r.stdout, new RegExp(`\\n  ${cmd}\\b`));
});
