// Durability: the worker is killed with SIGKILL while the batch create is held open at the simulator (received,
// not yet answered) and a new one finishes the run, with exactly one create request per created object (the
// simulator does not honour Idempotency-Key: the new worker's attempt finds the batch by its marker); the run's history replays deterministically
// from its JSON export (the protobufjs duplication trap).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { seedOverlays, simulatorServers } from '../../src/dev/seeds';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { workflowBundle } from '../../src/worker';
import { spawnWorker, startStack, waitFor, type Stack } from '../helpers/stack';
import { createInFlight, holdNextCreate, requestsTo } from '../helpers/runs';

let stack: Stack;
before(async () => {
  stack = await startStack({ inProcessWorker: false });
});
after(() => stack?.stop());

const batchJob = () => ({
  document: join(PROJECT_ROOT, 'arazzo', 'openai-batch-job.arazzo.yaml'),
  overlays: seedOverlays('openai-batch-job'),
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

test('a worker killed while the batch create is in flight is replaced and the run completes with one create per object', async () => {
  stack.simulator.setTiming({ batchValidatingMs: 1500, batchInProgressMs: 4000, batchFinalizingMs: 1000 });
  holdNextCreate(stack.simulator, '^/v1/batches$', 3000);
  const first = await spawnWorker(stack.server.address);
  const started = await stack.client.start(batchJob());
  const polls = () => stack.simulator.requests.filter((r) => r.method === 'GET' && /^\/v1\/batches\/batch_/.test(r.path)).length;
  await waitFor('the batch create in flight at the simulator', () => createInFlight(stack.simulator, /^\/v1\/batches$/), 30_000, 10);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  assert.ok(createInFlight(stack.simulator, /^\/v1\/batches$/), 'the worker died while the create was received and not yet answered');
  const second = await spawnWorker(stack.server.address);
  try {
    const result = await started.handle.result();
    assert.match(String(result.outputs.outputFileId), /^file-/);
    assert.ok(polls() > 0, 'the new worker polled');
    assert.equal(stack.simulator.count('POST', '/v1/files'), 1);
    assert.equal(stack.simulator.count('POST', '/v1/batches'), 1, 'the create was not sent again');
    assert.ok(requestsTo(stack.simulator, 'GET', /^\/v1\/batches$/).length >= 1, 'the new attempt listed the batches');
    assert.equal(stack.simulator.state.batches().length, 1);
    assert.equal(result.outputs.batchId, stack.simulator.state.batches()[0].id);
    finishedWorkflowId = started.workflowId;
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    stack.simulator.setFaults({});
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
