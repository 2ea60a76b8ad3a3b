// Durability: the worker is killed with SIGKILL in the middle of a poll loop and a new one finishes the
// run, with exactly one create request per created object; the run's history replays deterministically
// from its JSON export (the protobufjs duplication trap).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { simulatorServers } from '../../src/dev/seeds';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { workflowBundle } from '../../src/worker';
import { spawnWorker, startStack, waitFor, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack({ inProcessWorker: false });
});
after(() => stack?.stop());

const batchJob = () => ({
  document: join(PROJECT_ROOT, 'arazzo', 'openai-batch-job.arazzo.yaml'),
  inputs: {
    apiKey: { $secret: 'OPENAI_API_KEY' },
    endpoint: '/v1/chat/completions',
    batchInputFile: ['a', 'b'].map((id) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [] } })).join('\n'),
  },
  servers: { openaiApi: simulatorServers(stack.simulator.url).openaiApi },
  poll: { initialIntervalMs: 300, maxIntervalMs: 600 },
  options: { heartbeatTimeout: '3s' },
});

let finishedWorkflowId = '';

test('a worker killed mid-poll is replaced and the run completes with one create per object', async () => {
  stack.simulator.setTiming({ batchValidatingMs: 1500, batchInProgressMs: 4000, batchFinalizingMs: 1000 });
  const first = await spawnWorker(stack.server.address);
  const started = await stack.client.start(batchJob());
  const polls = () => stack.simulator.requests.filter((r) => r.method === 'GET' && /^\/v1\/batches\/batch_/.test(r.path)).length;
  await waitFor('two polls', () => polls() >= 2, 30_000);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const pollsAtKill = polls();
  const second = await spawnWorker(stack.server.address);
  try {
    const result = await started.handle.result();
    assert.match(String(result.outputs.outputFileId), /^file-/);
    assert.ok(polls() > pollsAtKill, 'the new worker went on polling');
    assert.equal(stack.simulator.count('POST', '/v1/files'), 1);
    assert.equal(stack.simulator.count('POST', '/v1/batches'), 1);
    assert.equal(stack.simulator.state.batches().length, 1);
    finishedWorkflowId = started.workflowId;
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    stack.simulator.setTiming('fast');
  }
});

test('the run replays deterministically from its JSON history export', async () => {
  assert.ok(finishedWorkflowId, 'needs the run of the previous test');
  const json = historyToJSON(await stack.client.handle(finishedWorkflowId).fetchHistory());
  const history = historyFromJSON(JSON.parse(json));
  assert.ok((history.events?.length ?? 0) > 5);
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, finishedWorkflowId);
});
