// The four seeds and the three corpus documents, run on a real Temporal dev server against the
// simulator over real HTTP, with their outputs checked; secrets checked absent from history and logs;
// failures reported plainly; bad documents refused before anything starts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import axios from 'axios';
import { WorkflowFailedError } from '@temporalio/client';
import { DocumentError, failureMessage } from '../../src/client';
import { runSeeds, simulatorServers, type SeedResult } from '../../src/dev/seeds';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { ANTHROPIC_KEY, OPENAI_KEY, startStack, workerLogs, type Stack } from '../helpers/stack';
import { historyText } from '../helpers/runs';

const CORPUS = join(PROJECT_ROOT, '..', 'shared', 'corpus');

const jsonl = (text: unknown) => String(text).split('\n').filter(Boolean).map((l) => JSON.parse(l));

let stack: Stack;
let seeds: Record<string, SeedResult>;

before(async () => {
  stack = await startStack();
  const results = await runSeeds(stack.client, stack.simulator.url, undefined, { poll: stack.poll });
  seeds = Object.fromEntries(results.map((r) => [r.name, r]));
});
after(() => stack?.stop());

function outputsOf(name: string): Record<string, any> {
  const r = seeds[name];
  assert.ok(r.result, `${name} failed: ${r.error ? failureMessage(r.error) : 'no result'}`);
  return r.result.outputs;
}

describe('seeds against the simulator', () => {
  test('OpenAI batch job: polls more than once and returns the output file of a completed batch', () => {
    const out = outputsOf('openai-batch-job');
    assert.match(out.batchId, /^batch_/);
    assert.match(out.outputFileId, /^file-/);
    const batch = stack.simulator.state.batches().find((b: any) => b.id === out.batchId) as any;
    assert.equal(batch.status, 'completed');
    assert.equal(batch.output_file_id, out.outputFileId);
    const polls = stack.simulator.requests.filter((r) => r.method === 'GET' && r.path === `/v1/batches/${out.batchId}`).length;
    assert.ok(polls >= 3, `expected at least two polls and the result read, saw ${polls} GETs`);
    // this run's create, and the upstream create of the Bifrost OpenAI-style run (through the gateway)
    assert.equal(stack.simulator.count('POST', '/v1/batches'), 2);
  });

  test('OpenAI batch results download: the JSONL output has one line per input request', () => {
    const out = outputsOf('openai-download-batch-results');
    assert.equal(out.outputFileId, outputsOf('openai-batch-job').outputFileId);
    const lines = jsonl(out.contents);
    assert.deepEqual(lines.map((l) => l.custom_id).sort(), ['request-1', 'request-2', 'request-3']);
    for (const l of lines) assert.equal(l.response.status_code, 200);
  });

  test('OpenAI fine-tuning job: returns the fine-tuned model of a succeeded job', () => {
    const out = outputsOf('openai-fine-tuning-job');
    assert.match(out.jobId, /^ftjob-/);
    assert.match(out.fineTunedModel, /^ft:gpt-4o-mini-2024-07-18:/);
  });

  test('Anthropic message batch: polls until ended and returns the JSONL results', () => {
    const out = outputsOf('anthropic-batch-create-poll-results');
    assert.match(out.batchId, /^msgbatch_/);
    assert.equal(out.processingStatus, 'ended');
    const lines = jsonl(out.results);
    assert.deepEqual(lines.map((l) => l.custom_id).sort(), ['greeting-de', 'greeting-fr']);
    for (const l of lines) assert.equal(l.result.type, 'succeeded');
  });

  test('every activity carries a summary naming the step and the request, for the Web UI', async () => {
    const history = await stack.client.handle(seeds['openai-batch-job'].workflowId).fetchHistory();
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => Buffer.from(e.userMetadata?.summary?.data ?? new Uint8Array()).toString('utf8'));
    assert.deepEqual(summaries, ['"uploadInput · POST /files"', '"createBatch · POST /batches"', '"pollBatch · GET /batches/{batch_id}"', '"getResult · GET /batches/{batch_id}"']);
    assert.match(seeds['openai-batch-job'].workflowId, /^batch-job-\d{8}-\d{6}-[a-z0-9]{4}$/);
  });

  test('the API keys appear nowhere in the histories or the worker logs', async () => {
    for (const r of Object.values(seeds)) {
      const history = await historyText(stack.client, r.workflowId);
      assert.ok(!history.includes(OPENAI_KEY) && !history.includes(ANTHROPIC_KEY), `a key leaked into the history of ${r.workflowId}`);
    }
    const batchHistory = await historyText(stack.client, seeds['openai-batch-job'].workflowId);
    assert.ok(batchHistory.includes('{{secret:OPENAI_API_KEY}}') || batchHistory.includes('"$secret":"OPENAI_API_KEY"'), 'the history should hold the secret reference');
    assert.ok(batchHistory.includes('request-1'), 'decoded payloads are searched');
    assert.ok(workerLogs.length > 0, 'worker logs were captured');
    const logs = workerLogs.join('\n');
    assert.ok(!logs.includes(OPENAI_KEY) && !logs.includes(ANTHROPIC_KEY), 'a key leaked into the worker logs');
  });
});

describe('corpus documents against the simulator', () => {
  const run = (doc: string, inputs: Record<string, unknown>) => {
    const source = doc.startsWith('anthropic') ? 'messageBatchesApi' : 'openaiApi';
    return stack.client.run({ document: join(CORPUS, 'arazzo', doc), inputs, servers: { [source]: simulatorServers(stack.simulator.url)[source] }, poll: stack.poll });
  };

  test('upload and verify a file', async () => {
    const { outputs } = await run('openai-upload-and-verify-file-workflow.yml', {
      apiKey: { $secret: 'OPENAI_API_KEY' },
      file: '{"prompt":"a","completion":"b"}\n',
      purpose: 'user_data',
    });
    assert.match(String(outputs.fileId), /^file-/);
    assert.equal(outputs.status, 'processed');
    const file = stack.simulator.state.files().find((f: any) => f.id === outputs.fileId) as any;
    assert.equal(file.filename, 'input.jsonl');
  });

  test('cancel a running fine-tuning job', async () => {
    const auth = { headers: { Authorization: `Bearer ${OPENAI_KEY}` } };
    const form = new FormData();
    form.append('purpose', 'fine-tune');
    // 10 examples: the fewest the fine-tuning API accepts
    const examples = Array.from({ length: 10 }, (_, i) => `{"messages":[{"role":"user","content":"hi ${i}"},{"role":"assistant","content":"hello ${i}"}]}\n`);
    form.append('file', new Blob([examples.join('')]), 'train.jsonl');
    const file = await axios.post(`${stack.simulator.url}/v1/files`, form, auth);
    stack.simulator.setTiming({ fineTuneValidatingMs: 60_000 });
    const job = await axios.post(`${stack.simulator.url}/v1/fine_tuning/jobs`, { model: 'gpt-4o-mini', training_file: file.data.id }, auth);
    stack.simulator.setTiming('fast');
    const { outputs } = await run('openai-cancel-fine-tuning-job-workflow.yml', { apiKey: { $secret: 'OPENAI_API_KEY' }, jobId: job.data.id });
    assert.ok(['validating_files', 'queued', 'running'].includes(String(outputs.initialStatus)), `initial status ${outputs.initialStatus}`);
    assert.equal(outputs.finalStatus, 'cancelled');
  });

  test('cancel an Anthropic batch and confirm it ended', async () => {
    const requests = [1, 2, 3].map((i) => ({ custom_id: `r${i}`, params: { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: `hi ${i}` }] } }));
    stack.simulator.setTiming({ messageBatchInProgressMs: 60_000, messageBatchCancelingMs: 500 });
    try {
      const { outputs } = await run('anthropic-batch-cancel-and-confirm-workflow.yml', { apiKey: { $secret: 'ANTHROPIC_API_KEY' }, requests });
      assert.equal(outputs.processingStatus, 'ended');
      const counts = outputs.requestCounts as Record<string, number>;
      assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 3);
      assert.equal(counts.canceled, 3);
    } finally {
      stack.simulator.setTiming('fast');
    }
  });
});

describe('the seeds against the real third-party OpenAPI descriptions', () => {
  test('batch job and Anthropic batch resolve their operations in ../shared/corpus/openapi', async () => {
    const batch = await stack.client.run({
      document: join(PROJECT_ROOT, 'arazzo', 'openai-batch-job.arazzo.yaml'),
      inputs: { apiKey: { $secret: 'OPENAI_API_KEY' }, endpoint: '/v1/chat/completions', batchInputFile: '{"custom_id":"x","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[]}}\n' },
      sources: { openaiApi: join(CORPUS, 'openapi', 'openai-openapi-master.yml') },
      servers: { openaiApi: `${stack.simulator.url}/v1` },
      poll: stack.poll,
    });
    assert.match(String(batch.outputs.outputFileId), /^file-/);
    const anthropic = await stack.client.run({
      document: join(PROJECT_ROOT, 'arazzo', 'anthropic-batch-create-poll-results.arazzo.yaml'),
      inputs: { apiKey: { $secret: 'ANTHROPIC_API_KEY' }, model: 'm', requests: [{ custom_id: 'only', params: { model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] } }] },
      sources: { messageBatchesApi: join(CORPUS, 'openapi', 'anthropic-message-batches-api-openapi.yml') },
      servers: { messageBatchesApi: `${stack.simulator.url}/v1` },
      poll: stack.poll,
    });
    assert.deepEqual(jsonl(anthropic.outputs.results).map((l) => l.custom_id), ['only']);
  });
});

describe('failures are plain, and bad input starts nothing', () => {
  const batchJob = (extra: Record<string, unknown> = {}) => ({
    document: join(PROJECT_ROOT, 'arazzo', 'openai-batch-job.arazzo.yaml'),
    inputs: { apiKey: { $secret: 'OPENAI_API_KEY' }, endpoint: '/v1/chat/completions', batchInputFile: '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[]}}\n', ...extra },
    servers: { openaiApi: `${stack.simulator.url}/v1` },
    poll: stack.poll,
  });

  test('a batch that fails is reported with its step and status, not returned as success with nulls', async () => {
    stack.simulator.setOutcome({ openaiBatch: 'failed' });
    try {
      await assert.rejects(stack.client.run(batchJob()), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        const msg = failureMessage(err);
        assert.match(msg, /step pollBatch/);
        assert.match(msg, /\$\.status = "failed"/);
        return true;
      });
    } finally {
      stack.simulator.setOutcome({});
    }
  });

  test('a wrong API key fails the first step with the provider message and without the key', async () => {
    process.env.WRONG_OPENAI_KEY = 'sk-wrong-0123456789abcdef0123456789';
    await assert.rejects(stack.client.run(batchJob({ apiKey: { $secret: 'WRONG_OPENAI_KEY' } })), (err: unknown) => {
      const msg = failureMessage(err);
      assert.match(msg, /step uploadInput failed: HTTP 401/);
      assert.ok(!msg.includes('sk-wrong-0123456789abcdef0123456789'), msg);
      return true;
    });
  });

  test('a missing required input is refused before any workflow starts', async () => {
    const before = (await stack.client.client.workflow.count()).count;
    const requestsBefore = stack.simulator.requests.length;
    await assert.rejects(stack.client.start(batchJob({ batchInputFile: undefined })), (err: unknown) => {
      assert.ok(err instanceof DocumentError);
      assert.match(err.message, /missing required input "batchInputFile"/);
      assert.match(err.message, /openai-batch-job\.arazzo\.yaml/);
      return true;
    });
    assert.equal((await stack.client.client.workflow.count()).count, before);
    assert.equal(stack.simulator.requests.length, requestsBefore);
  });
});
