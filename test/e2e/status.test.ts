// A run's live status and finding runs, as an operator does it: `status`, `watch` and `list` through the real CLI
// in child processes, against the dev server (search attributes registered at start), a worker and the simulator.
// The batch seed's poll runs inside one activity for its whole in_progress phase: the provider status and request
// counts `status` shows meanwhile come from that activity's last attempt (the report on its ArazzoPollPending
// failure). A namespace without the search attributes still runs everything, with a warning.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import type { LiveStatus } from '../../src/core/run-status';
import type { ListedRun } from '../../src/status-client';
import { SEARCH_ATTRIBUTES } from '../../src/core/search-attributes';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack?.stop());

const conn = () => ['--address', stack.server.address];
const fastPoll = ['--poll-interval', '200ms', '--poll-max-interval', '500ms'];
const batchArgs = () => [
  'arazzo/openai-batch-job.arazzo.yaml',
  '--overlay',
  'overlays/openai-batch-job.overlay.yaml',
  '--inputs',
  'examples/inputs/openai-batch-job.json',
  '--server',
  `openaiApi=${stack.simulator.url}/v1`,
  ...fastPoll,
  ...conn(),
];
const anthropicArgs = () => [
  'arazzo/anthropic-batch-create-poll-results.arazzo.yaml',
  '--overlay',
  'overlays/anthropic-batch-create-poll-results.overlay.yaml',
  '--inputs',
  'examples/inputs/anthropic-batch-create-poll-results.json',
  '--server',
  `messageBatchesApi=${stack.simulator.url}/v1`,
  ...fastPoll,
  ...conn(),
];

async function start(args: string[]): Promise<string> {
  const r = await cli('start', ...args);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /search attributes/, 'the dev server has them registered');
  return r.stdout.trim();
}

async function status(id: string): Promise<LiveStatus> {
  const r = await cli('status', id, '--json', ...conn());
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function list(...filter: string[]): Promise<ListedRun[]> {
  const r = await cli('list', ...filter, '--json', ...conn());
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("status shows a polling batch live from the poll's last attempt: provider status, request counts, polls, next poll; then the end", async () => {
  // long enough for a few CLI processes on a loaded machine to see it poll
  stack.simulator.setTiming({ batchInProgressMs: 30_000 });
  try {
    const id = await start(batchArgs());
    // the workflow itself saw createBatch's `validating`; in_progress and its counts exist only in the poll's last attempt
    const live = await waitFor(
      'status to show the batch in progress',
      async () => {
        const s = await status(id);
        return s.execution === 'RUNNING' && s.batchStatus === 'in_progress' && s.requestCounts && s.requestCounts.total > 0 ? s : undefined;
      },
      60_000,
      300,
    );
    assert.equal(live.step, 'pollBatch');
    assert.equal(live.statusStep, 'pollBatch', 'the status came from the poll, not from the create step the workflow saw');
    assert.equal(live.providerStatus, 'in_progress');
    assert.equal(live.requestCounts!.total, 3);
    assert.ok(live.polls >= 1, `polls so far: ${live.polls}`);
    assert.ok(live.nextPollAt && Number.isFinite(Date.parse(live.nextPollAt)), `next poll: ${live.nextPollAt}`);
    assert.equal(live.workflow, 'batch-job');
    assert.equal(live.document, 'openai-batch-job.arazzo.yaml');

    const text = await cli('status', id, ...conn());
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^run +batch-job-\S+ \((running|completed)\)$/m);
    assert.match(text.stdout, /^step +(pollBatch \(3 of 4\)|done)/m);

    // found by its search attributes while it runs
    const byDoc = await waitFor('list --document to find the run', async () =>
      (await list('--document', 'arazzo/openai-batch-job.arazzo.yaml')).find((r) => r.workflowId === id),
    );
    assert.equal(byDoc.workflow, 'batch-job');
    assert.equal(byDoc.document, 'openai-batch-job.arazzo.yaml');

    const r = await cli('result', id, '--json', ...conn());
    assert.equal(r.code, 0, r.stderr);
    const end = await status(id);
    assert.equal(end.execution, 'COMPLETED');
    assert.equal(end.batchStatus, 'completed');
    assert.equal(end.requestCounts!.completed + end.requestCounts!.failed, end.requestCounts!.total);
    assert.equal(end.step, undefined);
    const done = await waitFor('the upserted BatchStatus to reach visibility', async () =>
      (await list('--workflow', 'batch-job', '--batch-status', 'completed', '--status', 'completed')).find((x) => x.workflowId === id),
    );
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.step, 'getResult', 'ArazzoStep was upserted as the run moved');
  } finally {
    stack.simulator.setTiming({ batchInProgressMs: 600 });
  }
});

test('list --workflow --batch-status in_progress --status running finds a polling Anthropic batch; other filters do not', async () => {
  stack.simulator.setTiming({ messageBatchInProgressMs: 300_000 });
  try {
    const id = await start(anthropicArgs());
    // the create step answered in_progress, so the workflow upserted BatchStatus = in_progress before the poll
    const found = await waitFor('the run in the list', async () =>
      (await list('--workflow', 'create-poll-retrieve-batch', '--batch-status', 'in_progress', '--status', 'running')).find(
        (r) => r.workflowId === id,
      ),
    );
    assert.equal(found.step, 'pollBatch');
    assert.equal(found.document, 'anthropic-batch-create-poll-results.arazzo.yaml');
    const other = await list('--workflow', 'batch-job', '--status', 'running');
    assert.ok(!other.some((r) => r.workflowId === id), `--workflow batch-job: ${JSON.stringify(other)}`);
    const ended = await list('--batch-status', 'ended');
    assert.ok(!ended.some((r) => r.workflowId === id), `--batch-status ended: ${JSON.stringify(ended)}`);
    const table = await cli('list', '--workflow', 'create-poll-retrieve-batch', ...conn());
    assert.match(
      table.stdout,
      new RegExp(
        `^${id} +running +anthropic-batch-create-poll-results\\.arazzo\\.yaml +create-poll-retrieve-batch +pollBatch +in_progress `,
        'm',
      ),
    );
    await stack.client.handle(id).terminate('test done');
    const bad = await cli('list', '--status', 'sleeping', ...conn());
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--status: expected one of running, completed, failed/);
  } finally {
    stack.simulator.setTiming({ messageBatchInProgressMs: 800 });
  }
});

test('list --workflow finds a run no worker has taken yet (no search attributes before its first workflow task), by its memo', async () => {
  // nobody polls this task queue: the run stays before its first workflow task, without search attributes
  const id = await start([...batchArgs(), '--task-queue', `nobody-polls-${Date.now()}`]);
  try {
    const d = await stack.client.handle(id).describe();
    assert.equal(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.workflow), undefined, 'the start carried none');
    const found = await waitFor('the run in the list', async () =>
      (await list('--workflow', 'batch-job')).find((r) => r.workflowId === id),
    );
    assert.equal(found.workflow, 'batch-job');
    assert.equal(found.document, 'openai-batch-job.arazzo.yaml');
    assert.equal(found.step, undefined, 'no step yet');
    const byDoc = await list('--document', 'openai-batch-job.arazzo.yaml', '--status', 'running');
    assert.ok(
      byDoc.some((r) => r.workflowId === id),
      `--document: ${JSON.stringify(byDoc)}`,
    );
    const other = await list('--workflow', 'create-poll-retrieve-batch');
    assert.ok(!other.some((r) => r.workflowId === id), `--workflow create-poll-retrieve-batch: ${JSON.stringify(other)}`);
    const byStep = await list('--workflow', 'batch-job', '--step', 'uploadInput');
    assert.ok(!byStep.some((r) => r.workflowId === id), `--step: it has not begun a step: ${JSON.stringify(byStep)}`);
  } finally {
    await stack.client.handle(id).terminate('test done');
  }
});

test('watch attaches to a run started elsewhere: plain lines off a terminal with the batch progress, then the end', async () => {
  // long enough for a few CLI processes on a loaded machine to see it poll
  stack.simulator.setTiming({ batchInProgressMs: 30_000 });
  try {
    const id = await start(batchArgs());
    const w = await cli('watch', id, '--interval', '200', ...conn());
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /step pollBatch \(3\/4\) · batch in_progress, \d\/3 requests done, \d failed · \d+ polls/);
    assert.doesNotMatch(w.stderr, /[░█]/, 'no bar off a terminal');
    assert.match(w.stdout, new RegExp(`^${id} completed \\(\\d+ step runs, \\d+ polls\\)$`, 'm'));
    assert.match(w.stdout, /^batch status +completed \(step getResult\)$/m);
    const unknown = await cli('watch', 'no-such-run', ...conn());
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no-such-run|not found/i);
  } finally {
    stack.simulator.setTiming({ batchInProgressMs: 600 });
  }
});

test('a namespace without the search attributes: runs start without them, with a warning, and complete', async () => {
  const bare = await startStack({ server: { searchAttributes: false } });
  try {
    const args = batchArgs().map((a) =>
      a === stack.server.address ? bare.server.address : a.replace(stack.simulator.url, bare.simulator.url),
    );
    const r = await cli('run', ...args, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).batchId, /^batch_/);
    assert.match(
      r.stderr,
      /warning: namespace default has not registered the search attributes ArazzoDocument, ArazzoWorkflow, ArazzoStep, BatchStatus/,
    );
    const id = /started (\S+)/.exec(r.stderr)![1];
    const s = await cli('status', id, '--json', '--address', bare.server.address);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(JSON.parse(s.stdout).batchStatus, 'completed');
  } finally {
    await bare.stop();
  }
});
