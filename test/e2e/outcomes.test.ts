// Every terminal outcome of the providers' jobs, end to end, for each seed in arazzo/ on the dev server: the
// simulator is told per job how to end (input markers: model "sim-fail" / "sim-expire" / "sim-cancel",
// "simulate_error": true; or a cancel sent by "someone else" straight to the API), and the run must say plainly
// what happened — the provider status, the counts, the error file — never a success with nulls.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import axios from 'axios';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { failureMessage } from '../../src/client';
import { assertCancelled, assertNoKey, historyText, requestsTo, seedInputs, seedRun, type SeedName } from '../helpers/runs';
import { ANTHROPIC_KEY, OPENAI_KEY, startStack, waitFor, workerLogs, type Stack } from '../helpers/stack';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.simulator.setFaults({});
  stack.simulator.setTiming('fast');
  stack.simulator.setOutcome({});
  stack.simulator.reset();
});

const run = (name: SeedName, inputs: Record<string, unknown> = {}, extra: Parameters<typeof seedRun>[2] = {}) =>
  stack.client.run(seedRun(name, stack.simulator.url, { ...extra, inputs }));

/** The run's failure message (the run must fail); it never carries a key. */
async function failure(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    (r) => assert.fail(`expected the run to fail, it returned ${JSON.stringify(r)}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${err}`);
  const msg = failureMessage(err);
  assertNoKey(msg);
  return msg;
}

/** Batch input lines (valid for the real API) with a per-line body override. */
function batchLines(ids: string[], body: (id: string) => Record<string, unknown> = () => ({})): string {
  return ids
    .map((id) =>
      JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Hi ${id}` }], ...body(id) } }),
    )
    .join('\n') + '\n';
}

const openai = { headers: { Authorization: `Bearer ${OPENAI_KEY}` } };
const anthropic = { headers: { 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' } };


const download = async (fileId: string) =>
  String((await axios.get(`${stack.simulator.url}/v1/files/${fileId}/content`, { ...openai, responseType: 'text' })).data)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('OpenAI batch job (arazzo/openai-batch-job.arazzo.yaml)', () => {
  test('batch failed with its errors: the run fails naming the step, the status and the errors', async () => {
    // the model does not exist: every line fails validation (one model per file, so all lines name it)
    const msg = await failure(run('openai-batch-job', { batchInputFile: batchLines(['a', 'b'], () => ({ model: 'sim-fail' })) }));
    const [batch] = stack.simulator.state.batches();
    assert.equal(batch.status, 'failed');
    assert.match(msg, /^step pollBatch: the response matched none of its actions/);
    assert.match(msg, /\$\.status = "failed"/);
    assert.match(msg, /The response said: .*errors \{"object":"list","data":\[\{"code":"model_not_found",[^\]]*"line":1\},\{"code":"model_not_found",[^\]]*"line":2\}\]\}/);
    assert.equal(requestsTo(stack.simulator, 'GET', /^\/v1\/batches\/batch_/).at(-1)?.status, 200, 'the run stopped on the poll that saw it');
  });

  test('batch failed: the failure details carry the normalized status and counts (x-temporal-status of the overlay)', async () => {
    const err = await run('openai-batch-job', { batchInputFile: batchLines(['a', 'b'], () => ({ model: 'sim-fail' })) }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, `a failed run: ${err}`);
    const details = err.cause.details?.[0] as { stepId: string; batchStatus?: string; requestCounts?: unknown };
    assert.equal(details.stepId, 'pollBatch');
    assert.equal(details.batchStatus, 'failed');
    assert.deepEqual(details.requestCounts, stack.simulator.state.batches()[0].request_counts, "the batch's own counts");
  });

  test('batch expired with partial output: the run fails with the status, the counts and both files', async () => {
    const msg = await failure(run('openai-batch-job', { batchInputFile: batchLines(['a', 'b', 'c', 'd'], () => ({ model: 'sim-expire' })) }));
    const [batch] = stack.simulator.state.batches();
    assert.equal(batch.status, 'expired');
    assert.match(msg, /\$\.status = "expired"/);
    assert.match(msg, /request_counts \{"total":4,"completed":2,"failed":2\}/);
    assert.match(msg, new RegExp(`output_file_id "${batch.output_file_id}"`));
    assert.match(msg, new RegExp(`error_file_id "${batch.error_file_id}"`));
    assert.equal((await download(batch.output_file_id as string)).length, 2, 'the partial output is there');
    assert.deepEqual((await download(batch.error_file_id as string)).map((l) => l.error.code), ['batch_expired', 'batch_expired']);
  });

  test('batch cancelled by someone else (a cancel sent straight to the API): the run fails saying so', async () => {
    stack.simulator.setTiming({ batchInProgressMs: 3000 });
    const p = run('openai-batch-job', { batchInputFile: batchLines(['a', 'b', 'c', 'd']) });
    const batch = await waitFor('the batch to be in progress', () => stack.simulator.state.batches().find((b) => b.status === 'in_progress'), 20_000, 20);
    const cancelled = await axios.post(`${stack.simulator.url}/v1/batches/${batch.id}/cancel`, undefined, openai);
    assert.equal(cancelled.data.status, 'cancelling');
    const msg = await failure(p);
    assert.match(msg, /\$\.status = "(cancelling|cancelled)"/);
    assert.match(msg, /cancelling_at \d+/);
    assert.equal(stack.simulator.count('POST', /\/cancel$/), 1, 'the run itself cancelled nothing');
  });

  test('the sim-cancel marker: cancelled by someone else halfway, as the run sees it', async () => {
    const msg = await failure(run('openai-batch-job', { batchInputFile: batchLines(['a', 'b', 'c', 'd'], () => ({ model: 'sim-cancel' })) }));
    assert.match(msg, /\$\.status = "(cancelling|cancelled)"/);
    assert.equal(stack.simulator.count('POST', /\/cancel$/), 0, 'no cancel request: the simulator cancelled it');
  });

  test('completed with an error_file_id: the run succeeds with the output file; the error file is in the step outputs', async () => {
    const started = await stack.client.start(seedRun('openai-batch-job', stack.simulator.url, { inputs: { batchInputFile: batchLines(['ok', 'bad'], (id) => (id === 'bad' ? { simulate_error: true } : {})) } }));
    const result = await started.handle.result();
    const [batch] = stack.simulator.state.batches();
    assert.deepEqual([batch.status, batch.request_counts], ['completed', { total: 2, completed: 1, failed: 1 }]);
    assert.equal(result.outputs.outputFileId, batch.output_file_id);
    assert.equal(result.notes, undefined, 'nothing is null');
    assert.deepEqual((await download(batch.output_file_id as string)).map((l) => l.custom_id), ['ok']);
    assert.deepEqual((await download(batch.error_file_id as string)).map((l) => [l.custom_id, l.response.status_code]), [['bad', 400]]);
    // the getResult step's outputs (its activity result in history) carry the error file id
    assert.ok((await historyText(stack.client, started.workflowId)).includes(String(batch.error_file_id)), 'the error file id is in the run history');
  });

  test('all requests failed: the run completes, and its notes say why outputFileId is null (status, counts, error file)', async () => {
    const result = await run('openai-batch-job', { batchInputFile: batchLines(['a', 'b'], () => ({ simulate_error: true })) });
    const [batch] = stack.simulator.state.batches();
    assert.deepEqual([batch.status, batch.output_file_id, batch.request_counts], ['completed', null, { total: 2, completed: 0, failed: 2 }]);
    assert.equal(result.outputs.outputFileId, null);
    assert.equal(result.notes?.length, 1, JSON.stringify(result));
    const [note] = result.notes as string[];
    assert.match(note, /^output outputFileId is null: step getResult found nothing at \$response\.body#\/output_file_id; the response \(HTTP 200\) said: /);
    assert.match(note, /status "completed"/);
    assert.match(note, /request_counts \{"total":2,"completed":0,"failed":2\}/);
    assert.match(note, new RegExp(`error_file_id "${batch.error_file_id}"`));
  });
});

describe('OpenAI fine-tuning job (arazzo/openai-fine-tuning-job.arazzo.yaml)', () => {
  test('job failed with its error: the run fails naming the status and the error', async () => {
    const msg = await failure(run('openai-fine-tuning-job', { model: 'sim-fail' }));
    assert.match(msg, /^step pollJob: the response matched none of its actions/);
    assert.match(msg, /\$\.status = "failed"/);
    assert.match(msg, /error \{"code":"server_error","message":"Fine-tuning failed during training \(simulated\)\."/);
  });

  test('a training file the API refuses (2 examples): the job fails validating, and the run says why', async () => {
    const two = (seedInputs('openai-fine-tuning-job').trainingFile as string).split('\n').slice(0, 2).join('\n') + '\n';
    const msg = await failure(run('openai-fine-tuning-job', { trainingFile: two }));
    assert.match(msg, /\$\.status = "failed"/);
    assert.match(msg, /"code":"invalid_n_examples","message":"Training file has 2 example\(s\), but must have at least 10 examples","param":"training_file"/);
    assert.equal(stack.simulator.state.fineTuningJobs()[0].status, 'failed');
  });

  test('job cancelled by someone else: the run fails saying so', async () => {
    const msg = await failure(run('openai-fine-tuning-job', { model: 'sim-cancel' }));
    assert.match(msg, /\$\.status = "cancelled"/);
    assert.equal(stack.simulator.state.fineTuningJobs()[0].status, 'cancelled');
    assert.equal(stack.simulator.count('POST', /\/cancel$/), 0);
  });
});

describe('Anthropic message batch (arazzo/anthropic-batch-create-poll-results.arazzo.yaml)', () => {
  test('results mixing succeeded, errored, expired and canceled: the run returns every line with its type', async () => {
    const [first] = seedInputs('anthropic-batch-create-poll-results').requests as { custom_id: string; params: Record<string, unknown> }[];
    const marked = (custom_id: string, model: string) => ({ custom_id, params: { ...first.params, model } });
    const requests = [first, marked('will-error', 'sim-fail'), marked('will-expire', 'sim-expire'), marked('will-cancel', 'sim-cancel')];
    const { outputs, notes } = await run('anthropic-batch-create-poll-results', { requests });
    assert.equal(outputs.processingStatus, 'ended');
    assert.equal(notes, undefined);
    const types = Object.fromEntries(
      String(outputs.results)
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .map((l) => [l.custom_id, l.result.type]),
    );
    assert.deepEqual(types, { [first.custom_id]: 'succeeded', 'will-error': 'errored', 'will-expire': 'expired', 'will-cancel': 'canceled' });
    const [batch] = stack.simulator.state.messageBatches();
    assert.deepEqual(batch.request_counts, { processing: 0, succeeded: 1, errored: 1, canceled: 1, expired: 1 });
  });
});

describe('a run cancelled just after its job finished: the provider refuses the cancel', () => {
  /** Starts `name`, waits for `ended`, holds the next poll open, cancels the run; returns the cancel requests. */
  async function cancelAfterEnd(name: SeedName, ended: () => boolean, pollPath: RegExp) {
    const started = await stack.client.start(seedRun(name, stack.simulator.url));
    await waitFor('the job to end', ended, 20_000, 10);
    // the run has not seen it yet: hold its next request open while the run is cancelled
    stack.simulator.setFaults({ rules: [{ kind: 'slow', method: 'GET', path: pollPath, delayMs: 4000 }] });
    const t0 = Date.now();
    await stack.client.cancel(started.workflowId);
    await assert.rejects(started.handle.result(), assertCancelled);
    return { cancels: requestsTo(stack.simulator, 'POST', /\/cancel$/), ms: Date.now() - t0 };
  }

  test('OpenAI batch completed: the cancel answers 400, the run ends cancelled, the batch stays completed', async () => {
    const { cancels } = await cancelAfterEnd('openai-batch-job', () => stack.simulator.state.batches()[0]?.status === 'completed', /^\/v1\/batches\/batch_/);
    assert.deepEqual(cancels.map((r) => r.status), [400]);
    assert.equal(stack.simulator.state.batches()[0].status, 'completed');
    await waitFor('the refusal in the worker log', () => workerLogsInclude(/the cancel of what step createBatch created was refused: HTTP 400 — .*Cannot cancel a batch with status 'completed'/), 5000);
  });

  test('Anthropic batch ended: the cancel answers 409, once (not retried), the run ends cancelled promptly', async () => {
    const { cancels, ms } = await cancelAfterEnd(
      'anthropic-batch-create-poll-results',
      () => stack.simulator.state.messageBatches()[0]?.processing_status === 'ended',
      /^\/v1\/messages\/batches\/msgbatch_/,
    );
    assert.deepEqual(cancels.map((r) => r.status), [409]);
    assert.ok(ms < 15_000, `the run took ${ms} ms to end after the cancel`);
    assert.equal(stack.simulator.state.messageBatches()[0].processing_status, 'ended');
    await waitFor('the refusal in the worker log', () => workerLogsInclude(/could not cancel what step createBatch created: .*HTTP 409 — .*has already ended and cannot be canceled/), 5000);
  });
});

const workerLogsInclude = (re: RegExp) => workerLogs.some((l) => re.test(l));
