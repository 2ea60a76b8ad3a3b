// The Bifrost seed (arazzo/bifrost-batch.arazzo.yaml with its overlay) on the dev server, through the simulator's
// Bifrost gateway in front of its OpenAI and Anthropic simulations, in both styles: completed, failed, cancelled (by
// someone else, and by cancelling the run: the gateway's cancel route), and each case of Bifrost's error envelope,
// whose message must name the step and carry Bifrost's words.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { failureMessage, type ArazzoRunResult } from '../../src/client';
import { bifrostRunName, seedOverlays, simulatorServers } from '../../src/dev/seeds';
import { assertCancelled, seedInputs, requestsTo } from '../helpers/runs';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack?.stop());
beforeEach(() => {
  stack.simulator.setFaults({});
  stack.simulator.setTiming('fast');
  stack.simulator.reset();
});

type Style = 'openai' | 'anthropic';
const inputsOf = (style: Style) => seedInputs(`bifrost-batch-${style}` as never);
const request = (style: Style, inputs: Record<string, unknown> = {}) => ({
  document: join(PROJECT_ROOT, 'arazzo', 'bifrost-batch.arazzo.yaml'),
  overlays: seedOverlays('bifrost-batch'),
  inputs: { ...inputsOf(style), ...inputs },
  servers: { bifrostApi: simulatorServers(stack.simulator.url).bifrostApi },
  poll: stack.poll,
});
const run = (style: Style, inputs: Record<string, unknown> = {}): Promise<ArazzoRunResult> => stack.client.run(request(style, inputs));

const lines = (model: string, ids = ['a', 'b']) =>
  ids
    .map((id) =>
      JSON.stringify({
        custom_id: id,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model, messages: [{ role: 'user', content: id }] },
      }),
    )
    .join('\n') + '\n';
const requests = (model: string, ids = ['a', 'b']) =>
  ids.map((id) => ({ custom_id: id, params: { model, max_tokens: 8, messages: [{ role: 'user', content: id }] } }));

async function failure(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    (r) => assert.fail(`expected the run to fail, it returned ${JSON.stringify(r)}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${err}`);
  return failureMessage(err);
}

describe('Bifrost seed through the gateway', () => {
  test('the seed runs of npm start are named per style', () => assert.equal(bifrostRunName('openai'), 'bifrost-batch (openai style)'));

  test('OpenAI-style completed: upload, create with input_file_id, poll, results as one JSON object; batchStatus completed', async () => {
    const r = await run('openai');
    assert.equal(r.outputs.status, 'completed');
    assert.equal(r.batchStatus, 'completed');
    assert.deepEqual(r.requestCounts, { total: 2, completed: 2, failed: 0 });
    assert.deepEqual(r.outputs.requestCounts, { total: 2, completed: 2, failed: 0 });
    const results = r.outputs.results as { custom_id: string; response: { status_code: number } }[];
    assert.deepEqual(results.map((x) => x.custom_id).sort(), ['request-1', 'request-2']);
    for (const x of results) assert.equal(x.response.status_code, 200);
    // the gateway's calls went upstream over loopback: the upload and the create, with provider openai
    assert.equal(requestsTo(stack.simulator, 'POST', /^\/bifrost\/v1\/files$/)[0]?.query, 'provider=openai');
    assert.equal(requestsTo(stack.simulator, 'POST', /^\/v1\/files$/).length, 1);
    assert.equal(requestsTo(stack.simulator, 'POST', /^\/v1\/batches$/).length, 1);
    assert.ok(requestsTo(stack.simulator, 'GET', /^\/bifrost\/v1\/batches\/batch_[^/]+$/).every((e) => e.query === 'provider=openai'));
  });

  test('Anthropic-style completed: inline requests; Bifrost status ended, counts from succeeded/errored', async () => {
    const r = await run('anthropic');
    assert.equal(r.outputs.status, 'ended');
    assert.equal(r.batchStatus, 'ended');
    assert.deepEqual(r.requestCounts, { total: 2, completed: 2, failed: 0 });
    const results = r.outputs.results as { custom_id: string; result: { type: string } }[];
    assert.deepEqual(results.map((x) => x.custom_id).sort(), ['greeting-de', 'greeting-fr']);
    for (const x of results) assert.equal(x.result.type, 'succeeded');
    assert.equal(requestsTo(stack.simulator, 'POST', /^\/v1\/messages\/batches$/).length, 1);
    assert.equal(requestsTo(stack.simulator, 'POST', /^\/v1\/files$/).length, 0, 'nothing uploaded in the inline style');
  });

  test('OpenAI-style failed: the run ends at the poll with status failed, its counts, and no results', async () => {
    const r = await run('openai', { batchInputFile: lines('sim-fail') });
    assert.equal(r.endedBy.action, 'withoutResults');
    assert.equal(r.outputs.status, 'failed');
    assert.equal(r.batchStatus, 'failed');
    assert.equal(r.outputs.results, undefined, 'getResults never ran');
    assert.ok(r.requestCounts, 'the counts are there whatever the status');
  });

  test('Anthropic-style failed: every request errored; ended with failed = 2 and each error in the results', async () => {
    const r = await run('anthropic', { requests: requests('sim-fail') });
    assert.equal(r.batchStatus, 'ended');
    assert.deepEqual(r.requestCounts, { total: 2, completed: 0, failed: 2 });
    for (const x of r.outputs.results as { error: { code: string } }[]) assert.equal(x.error.code, 'not_found_error');
  });

  test('OpenAI-style cancelled by someone else: Bifrost says cancelled, the run says canceled', async () => {
    const r = await run('openai', { batchInputFile: lines('sim-cancel', ['a', 'b', 'c', 'd']) });
    assert.equal(r.outputs.status, 'cancelled', "the pinned commit's spelling, as the gateway sends it");
    assert.equal(r.batchStatus, 'canceled', "the vocabulary's spelling");
    assert.equal(r.requestCounts?.total, 4);
  });

  test('Anthropic-style cancelled by someone else: ended, the canceled requests in the counts and results', async () => {
    const r = await run('anthropic', { requests: requests('sim-cancel') });
    assert.equal(r.batchStatus, 'ended');
    assert.equal((r.outputs.requestCounts as { canceled?: number }).canceled, 2);
    for (const x of r.outputs.results as { result: { type: string } }[]) assert.equal(x.result.type, 'canceled');
  });

  for (const style of ['openai', 'anthropic'] as const) {
    test(`${style}-style run cancelled: the batch is cancelled through the gateway's cancel route`, async () => {
      stack.simulator.setTiming({ batchInProgressMs: 60_000, messageBatchInProgressMs: 60_000 });
      const started = await stack.client.start(request(style));
      const created = () => (style === 'openai' ? stack.simulator.state.batches() : stack.simulator.state.messageBatches())[0];
      await waitFor('the batch to be created', created, 60_000);
      await waitFor('a poll', () => requestsTo(stack.simulator, 'GET', /^\/bifrost\/v1\/batches\/[^/]+$/).length > 0, 60_000);
      await stack.client.cancel(started.workflowId);
      await started.handle.result().then(
        () => assert.fail('the run should end cancelled'),
        (e) => assertCancelled(e),
      );
      const cancels = requestsTo(stack.simulator, 'POST', /^\/bifrost\/v1\/batches\/[^/]+\/cancel$/);
      assert.equal(cancels.length, 1);
      assert.equal(cancels[0].query, `provider=${style}`);
      assert.equal(cancels[0].status, 200);
      const batch = created() as { status?: string; processing_status?: string };
      assert.match(String(batch.status ?? batch.processing_status), style === 'openai' ? /^cancell(ing|ed)$/ : /^(canceling|ended)$/);
    });
  }
});

describe("Bifrost's error envelope, named by step", () => {
  test('missing provider: a model without its provider/ prefix', async () => {
    const msg = await failure(run('openai', { model: 'gpt-4o-mini' }));
    assert.match(msg, /^step createBatch failed: HTTP 400 — model should be in provider\/model format or provider must be specified/);
  });

  test('unknown provider: in the model, and as the provider of the calls', async () => {
    const msg = await failure(run('anthropic', { model: 'nonsense/claude' }));
    assert.match(msg, /^step createBatch failed: HTTP 400 — model should be in provider\/model format or provider must be specified/);
    const groq = await failure(run('anthropic', { provider: 'groq', model: 'groq/llama' }));
    assert.match(groq, /^step checkProvider failed: HTTP 400 — unsupported_operation: batch_list is not supported by groq provider/);
    assert.equal(requestsTo(stack.simulator, 'POST', /^\/bifrost\/v1\/batches$/).length, 1, 'the groq run created nothing');
  });

  test('input_file_id together with requests', async () => {
    const msg = await failure(run('openai', { requests: requests('gpt-4o-mini') }));
    assert.match(msg, /^step createBatch failed: HTTP 400 — provide either input_file_id or requests, not both/);
    assert.equal(requestsTo(stack.simulator, 'POST', /^\/v1\/batches$/).length, 0, 'nothing reached the provider');
  });

  test('upstream 4xx passed through: Anthropic refuses a custom_id, with its status and words', async () => {
    const msg = await failure(run('anthropic', { requests: [{ custom_id: 'not valid!', params: requests('claude-x')[0].params }] }));
    assert.match(msg, /^step createBatch failed: HTTP 400 — invalid_request_error: requests\.0\.custom_id: String should match pattern/);
    assert.equal(requestsTo(stack.simulator, 'POST', /^\/v1\/messages\/batches$/)[0]?.status, 400, 'the provider said it');
  });

  test('upstream 5xx passed through: the poll retries, its failure names the step and the provider error', async () => {
    stack.simulator.setFaults({ rules: [{ kind: 'server_error', method: 'GET', path: '^/v1/messages/batches/[^/]+$', times: 3 }] });
    const started = await stack.client.start(request('anthropic'));
    const seen = await waitFor(
      'the poll to fail with the passed-through 500',
      async () => {
        const d = await started.handle.describe();
        const message = d.raw.pendingActivities?.[0]?.lastFailure?.message ?? '';
        return /HTTP 500/.test(message) ? message : undefined;
      },
      60_000,
      50,
    );
    assert.match(seen, /^pollBatch · GET \/v1\/batches\/\{batch_id\}: HTTP 500 — api_error: Internal server error/);
    const r = await started.handle.result();
    assert.equal(r.batchStatus, 'ended', 'the run went on once the provider answered');
    assert.ok(requestsTo(stack.simulator, 'GET', /^\/bifrost\/v1\/batches\/[^/]+$/).some((e) => e.status === 500));
  });
});
