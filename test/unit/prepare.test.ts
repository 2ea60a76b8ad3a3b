import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { checkInputs, prepareDocument, type PrepareOptions } from '../../src/load/prepare';
import { compileWorkflow, type LoadedSource } from '../../src/core/compile';
import { DocumentError } from '../../src/core/diagnostics';
import { lintPlan } from '../../src/core/lint';
import type { ArazzoDocument, Diagnostic, Plan } from '../../src/core/types';
import { operationStep, operationSteps, targetOf } from '../helpers/plan';
import { PLAN_VERSION } from '../../src/core/plan';

const ROOT = resolve(__dirname, '../..');
const SEEDS = join(ROOT, 'arazzo');
const OWN_OPENAPI = join(ROOT, 'openapi');
const BAD = join(ROOT, 'test/fixtures/bad');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
const CORPUS_OPENAI = join(CORPUS, 'openapi/openai-openapi-master.yml');
const CORPUS_ANTHROPIC = join(CORPUS, 'openapi/anthropic-message-batches-api-openapi.yml');

const seed = (name: string) => join(SEEDS, `${name}.arazzo.yaml`);
const bad = (name: string) => join(BAD, `${name}.arazzo.yaml`);

/** 1-based line of `- stepId: <id>` (the start of the step object) in a document. */
function stepLine(file: string, stepId: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((l) => new RegExp(`^\\s*- stepId: ${stepId}\\s*$`).test(l));
  assert.ok(index >= 0, `no step ${stepId} in ${file}`);
  return index + 1;
}

/** The line a warning points at: the node it is about (parameter value, condition, looping action), inside its step. */
function warningLine(file: string, w: Diagnostic): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const from = stepLine(file, w.stepId!) - 1;
  const find = (pattern: RegExp) => {
    const index = lines.findIndex((l, k) => k >= from && pattern.test(l));
    assert.ok(index >= 0, `${pattern} not found after step ${w.stepId} in ${file}`);
    return index + 1;
  };
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  switch (w.code) {
    case 'unbraced-expression':
      return find(/value: .*\$inputs\.apiKey/);
    case 'jsonpath-comparison':
      return find(new RegExp(`condition: ${escape(/: '(.*)' is not an RFC 9535/.exec(w.message)![1])}\\s*$`));
    case 'poll-without-failure-branch': {
      // the goto action that loops back: its `- name:` line
      let k = find(new RegExp(`^\\s+stepId: ${w.stepId}\\s*$`)) - 1;
      while (!/^\s*- name:/.test(lines[k])) k--;
      return k + 1;
    }
    default:
      return stepLine(file, w.stepId!);
  }
}

/** 1-based line of the first line matching `pattern` in a document. */
function lineOf(file: string, pattern: RegExp): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => pattern.test(l));
  assert.ok(index >= 0, `${pattern} not found in ${file}`);
  return index + 1;
}

async function documentError(location: string, opts?: PrepareOptions): Promise<DocumentError> {
  try {
    await prepareDocument(location, opts);
  } catch (err) {
    assert.ok(err instanceof DocumentError, `expected a DocumentError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${location} prepared without error`);
}

function only(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(diagnostics, null, 1)}`);
  return found[0];
}

/** A diagnostic names the file (as a path that resolves to `file`), a line, the workflow and the step. */
function assertWhere(d: Diagnostic, file: string, line: number, workflowId?: string, stepId?: string) {
  assert.ok(d.pos, `no position: ${JSON.stringify(d)}`);
  assert.equal(resolve(d.pos.file), file);
  assert.equal(d.pos.line, line, `line of ${d.code}: ${d.message}`);
  assert.equal(d.workflowId, workflowId);
  assert.equal(d.stepId, stepId);
}

// ---------- the seeds ----------

interface ExpectedStep {
  stepId: string;
  operationId: string;
  method: string;
  path: string;
  fileFields?: string[];
  contentType?: string;
}

const SEED_PLANS: Record<string, { workflowId: string; source: string; serverUrl: string; required: string[]; steps: ExpectedStep[] }> = {
  'anthropic-batch-create-poll-results': {
    workflowId: 'create-poll-retrieve-batch',
    source: 'messageBatchesApi',
    serverUrl: 'https://api.anthropic.com/v1',
    required: ['apiKey', 'model', 'requests'],
    steps: [
      { stepId: 'createBatch', operationId: 'createMessageBatch', method: 'POST', path: '/messages/batches', contentType: 'application/json' },
      { stepId: 'pollBatch', operationId: 'retrieveMessageBatch', method: 'GET', path: '/messages/batches/{message_batch_id}' },
      { stepId: 'getResults', operationId: 'retrieveMessageBatchResults', method: 'GET', path: '/messages/batches/{message_batch_id}/results' },
    ],
  },
  'openai-batch-job': {
    workflowId: 'batch-job',
    source: 'openaiApi',
    serverUrl: 'https://api.openai.com/v1',
    required: ['apiKey', 'batchInputFile', 'endpoint'],
    steps: [
      { stepId: 'uploadInput', operationId: 'createFile', method: 'POST', path: '/files', fileFields: ['file'], contentType: 'multipart/form-data' },
      { stepId: 'createBatch', operationId: 'createBatch', method: 'POST', path: '/batches', contentType: 'application/json' },
      { stepId: 'pollBatch', operationId: 'retrieveBatch', method: 'GET', path: '/batches/{batch_id}' },
      { stepId: 'getResult', operationId: 'retrieveBatch', method: 'GET', path: '/batches/{batch_id}' },
    ],
  },
  'openai-download-batch-results': {
    workflowId: 'download-batch-results',
    source: 'openaiApi',
    serverUrl: 'https://api.openai.com/v1',
    required: ['apiKey', 'batchId'],
    steps: [
      { stepId: 'getBatch', operationId: 'retrieveBatch', method: 'GET', path: '/batches/{batch_id}' },
      { stepId: 'downloadOutput', operationId: 'downloadFile', method: 'GET', path: '/files/{file_id}/content' },
    ],
  },
  'openai-fine-tuning-job': {
    workflowId: 'fine-tuning-job',
    source: 'openaiApi',
    serverUrl: 'https://api.openai.com/v1',
    required: ['apiKey', 'trainingFile', 'model'],
    steps: [
      { stepId: 'uploadTrainingFile', operationId: 'createFile', method: 'POST', path: '/files', fileFields: ['file'], contentType: 'multipart/form-data' },
      { stepId: 'createJob', operationId: 'createFineTuningJob', method: 'POST', path: '/fine_tuning/jobs', contentType: 'application/json' },
      { stepId: 'pollJob', operationId: 'retrieveFineTuningJob', method: 'GET', path: '/fine_tuning/jobs/{fine_tuning_job_id}' },
      { stepId: 'getResult', operationId: 'retrieveFineTuningJob', method: 'GET', path: '/fine_tuning/jobs/{fine_tuning_job_id}' },
    ],
  },
};

/** Warnings each seed must produce: [code, stepId] with multiplicity. */
const SEED_WARNINGS: Record<string, [string, string][]> = {
  'anthropic-batch-create-poll-results': [
    ['jsonpath-comparison', 'pollBatch'],
    ['jsonpath-comparison', 'pollBatch'],
  ],
  'openai-batch-job': [
    ['unbraced-expression', 'uploadInput'],
    ['unbraced-expression', 'createBatch'],
    ['jsonpath-comparison', 'pollBatch'],
    ['jsonpath-comparison', 'pollBatch'],
    ['unbraced-expression', 'pollBatch'],
    ['poll-without-failure-branch', 'pollBatch'],
    ['unbraced-expression', 'getResult'],
  ],
  'openai-download-batch-results': [
    ['jsonpath-comparison', 'getBatch'],
    ['jsonpath-comparison', 'getBatch'],
    ['unbraced-expression', 'getBatch'],
    ['unbraced-expression', 'downloadOutput'],
  ],
  'openai-fine-tuning-job': [
    ['unbraced-expression', 'uploadTrainingFile'],
    ['unbraced-expression', 'createJob'],
    ['jsonpath-comparison', 'pollJob'],
    ['jsonpath-comparison', 'pollJob'],
    ['unbraced-expression', 'pollJob'],
    ['poll-without-failure-branch', 'pollJob'],
    ['unbraced-expression', 'getResult'],
  ],
};

const sortPairs = (pairs: [string, string | undefined][]) => pairs.map((p) => p.join(' @ ')).sort();

function assertPlanShape(plan: Plan, expected: (typeof SEED_PLANS)[string], serverUrl = expected.serverUrl) {
  assert.equal(plan.planVersion, PLAN_VERSION);
  assert.equal(plan.workflowId, expected.workflowId);
  assert.deepEqual(plan.inputsSchema?.required, expected.required);
  assert.deepEqual(
    plan.steps.map((s) => s.stepId),
    expected.steps.map((s) => s.stepId),
  );
  for (const [i, want] of expected.steps.entries()) {
    const step = operationStep(plan.steps[i]);
    assert.equal(step.operation.source, expected.source, step.stepId);
    assert.equal(step.operation.operationId, want.operationId, step.stepId);
    assert.equal(step.operation.method, want.method, step.stepId);
    assert.equal(step.operation.path, want.path, step.stepId);
    assert.equal(step.operation.serverUrl, serverUrl, step.stepId);
    assert.equal(step.requestBody?.contentType, want.contentType, step.stepId);
    assert.deepEqual(step.requestBody?.fileFields, want.fileFields, step.stepId);
    assert.deepEqual(step.responseHeaders, [], step.stepId);
  }
}

for (const [name, expected] of Object.entries(SEED_PLANS)) {
  test(`seed ${name}: plan shape`, async () => {
    const file = seed(name);
    const { plan, diagnostics, sites } = await prepareDocument(file);
    assertPlanShape(plan, expected);
    assert.equal(resolve(plan.document.file), file);
    assert.equal(plan.document.arazzo, '1.0.1');
    assert.deepEqual(Object.keys(plan.sources), [expected.source]);
    assert.equal(resolve(plan.sources[expected.source].url), join(OWN_OPENAPI, expected.source === 'openaiApi' ? 'openai-openapi-master.yml' : 'anthropic-message-batches-api-openapi.yml'));
    for (const step of plan.steps) {
      const pos = sites[plan.workflowId].steps[step.stepId].pos;
      assert.equal(pos?.line, stepLine(file, step.stepId), `position of ${step.stepId}`);
      assert.equal(resolve(pos!.file), file);
    }
    assert.equal(diagnostics.filter((d) => d.severity === 'error').length, 0);
    // the document's outputs and the inputs schema travel unchanged
    const doc = parseYaml(readFileSync(file, 'utf8')) as ArazzoDocument;
    assert.deepEqual(plan.outputs, doc.workflows[0].outputs);
    assert.deepEqual(plan.inputsSchema, doc.workflows[0].inputs);
    assert.equal(plan.document.title, doc.info.title);
  });

  test(`seed ${name}: warnings name code, file:line of the step, workflow and step`, async () => {
    const file = seed(name);
    const { plan, diagnostics, warnings } = await prepareDocument(file);
    assert.deepEqual(sortPairs(warnings.map((w) => [w.code, w.stepId])), sortPairs(SEED_WARNINGS[name]));
    assert.deepEqual(warnings, diagnostics);
    for (const w of warnings) {
      assert.equal(w.severity, 'warning');
      assertWhere(w, file, warningLine(file, w), expected.workflowId, w.stepId);
    }
    const unbraced = warnings.filter((w) => w.code === 'unbraced-expression');
    for (const w of unbraced) assert.match(w.message, /"\$inputs\.apiKey" is written without braces/);
    for (const w of warnings.filter((w) => w.code === 'jsonpath-comparison')) assert.match(w.message, /is not an RFC 9535 query/);
  });
}

test('seed anthropic: the != / == pair on processing_status counts as a failure branch (no poll warning)', async () => {
  const { plan, warnings } = await prepareDocument(seed('anthropic-batch-create-poll-results'));
  const poll = plan.steps.find((s) => s.stepId === 'pollBatch')!;
  assert.deepEqual(
    poll.onSuccess.map((a) => [a.name, a.type, targetOf(a).stepId]),
    [
      ['stillProcessing', 'goto', 'pollBatch'],
      ['processingEnded', 'goto', 'getResults'],
    ],
  );
  assert.ok(!warnings.some((w) => w.code === 'poll-without-failure-branch'));
  assert.deepEqual(poll.poll, { initialIntervalMs: 1000, maxIntervalMs: 60_000, backoff: 2, timeoutMs: 25 * 3_600_000 });
});

test('poll options of the run reach every step', async () => {
  const { plan } = await prepareDocument(seed('openai-batch-job'), { poll: { initialIntervalMs: 250, maxIntervalMs: 5000 } });
  for (const step of plan.steps) assert.deepEqual(step.poll, { initialIntervalMs: 250, maxIntervalMs: 5000, backoff: 2, timeoutMs: 25 * 3_600_000 });
});

test('strict: the seed warnings become errors', async () => {
  for (const name of Object.keys(SEED_PLANS)) {
    const file = seed(name);
    const err = await documentError(file, { strict: true });
    assert.deepEqual(sortPairs(err.diagnostics.map((d) => [d.code, d.stepId])), sortPairs(SEED_WARNINGS[name]), name);
    assert.ok(err.diagnostics.every((d) => d.severity === 'error'));
    const first = err.diagnostics[0];
    assert.match(err.message, new RegExp(`:${first.pos!.line}:\\d+: error \\[${first.code}\\] \\(workflow ${SEED_PLANS[name].workflowId}, step ${first.stepId}\\)`));
  }
});

// ---------- the corpus ----------

test('corpus anthropic-batch-cancel-and-confirm: plan and poll warning', async () => {
  const file = join(CORPUS, 'arazzo/anthropic-batch-cancel-and-confirm-workflow.yml');
  const { plan, warnings } = await prepareDocument(file);
  assert.equal(plan.workflowId, 'cancel-and-confirm-batch');
  assert.deepEqual(
    operationSteps(plan).map((s) => [s.stepId, s.operation.method, s.operation.path, s.operation.serverUrl]),
    [
      ['createBatch', 'POST', '/messages/batches', 'https://api.anthropic.com/v1'],
      ['cancelBatch', 'POST', '/messages/batches/{message_batch_id}/cancel', 'https://api.anthropic.com/v1'],
      ['confirmCanceled', 'GET', '/messages/batches/{message_batch_id}', 'https://api.anthropic.com/v1'],
    ],
  );
  assert.equal(resolve(plan.sources.messageBatchesApi.url), CORPUS_ANTHROPIC);
  assert.deepEqual(sortPairs(warnings.map((w) => [w.code, w.stepId])), sortPairs([
    ['jsonpath-comparison', 'confirmCanceled'],
    ['jsonpath-comparison', 'confirmCanceled'],
    ['poll-without-failure-branch', 'confirmCanceled'],
  ]));
  for (const w of warnings) assertWhere(w, file, warningLine(file, w), 'cancel-and-confirm-batch', 'confirmCanceled');
  const confirm = operationStep(plan.steps[2]);
  assert.deepEqual(confirm.parameters.find((p) => p.in === 'path'), { name: 'message_batch_id', in: 'path', value: '$steps.createBatch.outputs.batchId', required: true });
});

test('corpus openai-cancel-fine-tuning-job: plan; forward goto is not a poll', async () => {
  const file = join(CORPUS, 'arazzo/openai-cancel-fine-tuning-job-workflow.yml');
  const { plan, warnings } = await prepareDocument(file);
  assert.equal(plan.workflowId, 'cancel-fine-tuning-job');
  assert.deepEqual(
    operationSteps(plan).map((s) => [s.stepId, s.operation.operationId, s.operation.method, s.operation.path, s.operation.serverUrl]),
    [
      ['getJob', 'retrieveFineTuningJob', 'GET', '/fine_tuning/jobs/{fine_tuning_job_id}', 'https://api.openai.com/v1'],
      ['cancelJob', 'cancelFineTuningJob', 'POST', '/fine_tuning/jobs/{fine_tuning_job_id}/cancel', 'https://api.openai.com/v1'],
    ],
  );
  assert.equal(resolve(plan.sources.openaiApi.url), CORPUS_OPENAI);
  assert.ok(!warnings.some((w) => w.code === 'poll-without-failure-branch'));
  assert.deepEqual(sortPairs(warnings.map((w) => [w.code, w.stepId])), sortPairs([
    ['jsonpath-comparison', 'getJob'],
    ['jsonpath-comparison', 'getJob'],
    ['unbraced-expression', 'getJob'],
    ['unbraced-expression', 'cancelJob'],
  ]));
});

test('corpus openai-upload-and-verify-file: createFile multipart has the file field from the real description', async () => {
  const file = join(CORPUS, 'arazzo/openai-upload-and-verify-file-workflow.yml');
  const { plan, warnings } = await prepareDocument(file);
  assert.deepEqual(
    operationSteps(plan).map((s) => [s.stepId, s.operation.method, s.operation.path]),
    [
      ['uploadFile', 'POST', '/files'],
      ['listFiles', 'GET', '/files'],
      ['retrieveFile', 'GET', '/files/{file_id}'],
    ],
  );
  assert.deepEqual(operationStep(plan.steps[0]).requestBody, {
    contentType: 'multipart/form-data',
    payload: { file: '$inputs.file', purpose: '$inputs.purpose' },
    replacements: undefined,
    fileFields: ['file'],
  });
  assert.equal(operationStep(plan.steps[1]).requestBody, undefined);
  assert.deepEqual(sortPairs(warnings.map((w) => [w.code, w.stepId])), sortPairs([
    ['unbraced-expression', 'uploadFile'],
    ['unbraced-expression', 'listFiles'],
    ['unbraced-expression', 'retrieveFile'],
  ]));
});

// ---------- overrides ----------

test('seeds with sources pointing at the third-party descriptions resolve the same operations', async () => {
  const corpusFor: Record<string, string> = { openaiApi: CORPUS_OPENAI, messageBatchesApi: CORPUS_ANTHROPIC };
  for (const [name, expected] of Object.entries(SEED_PLANS)) {
    const { plan, warnings } = await prepareDocument(seed(name), { sources: { [expected.source]: corpusFor[expected.source] } });
    assertPlanShape(plan, expected);
    assert.equal(resolve(plan.sources[expected.source].url), corpusFor[expected.source], name);
    assert.deepEqual(sortPairs(warnings.map((w) => [w.code, w.stepId])), sortPairs(SEED_WARNINGS[name]), name);
  }
});

test('a source override may be a file:// URL, and so may the document location', async () => {
  const { plan } = await prepareDocument(seed('anthropic-batch-create-poll-results'), { sources: { messageBatchesApi: pathToFileURL(CORPUS_ANTHROPIC).toString() } });
  assert.equal(resolve(plan.sources.messageBatchesApi.url), CORPUS_ANTHROPIC);
  assert.equal(operationStep(plan.steps[2]).operation.operationId, 'retrieveMessageBatchResults');

  const fromUrl = await prepareDocument(pathToFileURL(seed('anthropic-batch-create-poll-results')).toString());
  assert.equal(resolve(fromUrl.plan.document.file), seed('anthropic-batch-create-poll-results'));
  assert.equal(resolve(fromUrl.plan.sources.messageBatchesApi.url), join(OWN_OPENAPI, 'anthropic-message-batches-api-openapi.yml'));
  assert.deepEqual(
    operationSteps(fromUrl.plan).map((s) => s.operation.path),
    SEED_PLANS['anthropic-batch-create-poll-results'].steps.map((s) => s.path),
  );
});

test('servers override replaces the serverUrl of every step (trailing slash dropped)', async () => {
  for (const [name, expected] of Object.entries(SEED_PLANS)) {
    const { plan } = await prepareDocument(seed(name), { servers: { [expected.source]: 'http://127.0.0.1:8787/sim/v1/' } });
    assertPlanShape(plan, expected, 'http://127.0.0.1:8787/sim/v1');
  }
  const both = await prepareDocument(seed('openai-batch-job'), { sources: { openaiApi: CORPUS_OPENAI }, servers: { openaiApi: 'http://localhost:9000' } });
  assert.deepEqual(new Set(operationSteps(both.plan).map((s) => s.operation.serverUrl)), new Set(['http://localhost:9000']));
});

test('a --server or --source override naming an unknown source is an error', async () => {
  const file = seed('openai-batch-job');
  for (const opts of [{ servers: { anthropic: 'http://localhost:1' } }, { sources: { anthropic: CORPUS_ANTHROPIC } }]) {
    const err = await documentError(file, opts);
    const d = only(err.diagnostics, 'unknown-source');
    assert.match(d.message, /names "anthropic", which is not in sourceDescriptions \(openaiApi\)/);
    assert.equal(resolve(d.pos!.file), file);
    assert.equal(d.pos!.line, lineOf(file, /^sourceDescriptions:/) + 1);
  }
});

test('an unknown workflowId is an error listing the workflows', async () => {
  const err = await documentError(seed('openai-batch-job'), { workflowId: 'nope' });
  assert.match(only(err.diagnostics, 'unknown-workflow').message, /no workflow "nope" in the document \(it has: batch-job\)/);
});

// ---------- bad documents ----------

test('bad: goto an unknown step', async () => {
  const file = bad('broken-goto');
  const err = await documentError(file);
  const d = only(err.diagnostics, 'unknown-step');
  assertWhere(d, file, lineOf(file, /stepId: nowhere/), 'broken-goto', 'create');
  assert.match(d.message, /action "jump" goes to step "nowhere", which does not exist in workflow "broken-goto"/);
  assert.match(err.message, /broken-goto\.arazzo\.yaml:\d+:\d+: error \[unknown-step\] \(workflow broken-goto, step create\)/);
});

test('bad: unknown operationId', async () => {
  const file = bad('unknown-operation');
  const err = await documentError(file);
  assert.equal(err.diagnostics.length, 1);
  const d = only(err.diagnostics, 'unknown-operation');
  assertWhere(d, file, lineOf(file, /operationId: launchRocket/), 'unknown-op', 'launch');
  assert.match(d.message, /operationId "launchRocket" is not defined in batches \(.*anthropic-message-batches-api-openapi\.yml\)/);
});

test('bad: bare operationId defined in two sources is ambiguous', async () => {
  const file = bad('ambiguous-operation');
  const err = await documentError(file);
  assert.equal(err.diagnostics.length, 1, 'the qualified operationId of step list resolves');
  const d = only(err.diagnostics, 'ambiguous-operation');
  assertWhere(d, file, lineOf(file, /operationId: createMessageBatch/), 'ambiguous', 'create');
  assert.match(d.message, /\$sourceDescriptions\.batches\.createMessageBatch, \$sourceDescriptions\.batchesMirror\.createMessageBatch/);
});

test('bad: YAML syntax error', async () => {
  const file = bad('yaml-syntax');
  const err = await documentError(file);
  const d = only(err.diagnostics, 'yaml-syntax');
  assert.equal(resolve(d.pos!.file), file);
  const opened = lineOf(file, /successCriteria: \[/);
  assert.ok(d.pos!.line! >= opened && d.pos!.line! <= opened + 1, `line ${d.pos!.line} near the unclosed [ on line ${opened}`);
  assert.match(d.message, /\]/);
});

test('bad: a workflow without steps', async () => {
  const file = bad('missing-steps');
  const err = await documentError(file);
  const d = only(err.diagnostics, 'schema');
  assertWhere(d, file, lineOf(file, /workflowId: no-steps/), 'no-steps', undefined);
  assert.match(d.message, /workflow "no-steps" needs a non-empty "steps" list/);
  assert.match(err.message, /\(workflow no-steps\)/);
});

test('bad: duplicate stepId', async () => {
  const file = bad('duplicate-step');
  const err = await documentError(file);
  const d = only(err.diagnostics, 'duplicate-step');
  // the second occurrence is the one reported
  const lines = readFileSync(file, 'utf8').split('\n');
  const second = lines.findIndex((l, i) => /- stepId: list/.test(l) && lines.slice(0, i).some((x) => /- stepId: list/.test(x))) + 1;
  assertWhere(d, file, second, 'dup', 'list');
  assert.match(d.message, /stepId "list" is used twice/);
});

test('bad: $steps reference to an undeclared output', async () => {
  const file = bad('undeclared-output');
  const err = await documentError(file);
  const d = only(err.diagnostics, 'unknown-output-reference');
  assertWhere(d, file, lineOf(file, /value: \$steps\.create\.outputs\.batchIdentifier/), 'undeclared-output', 'poll');
  assert.match(d.message, /\$steps\.create\.outputs\.batchIdentifier, but step create declares no output "batchIdentifier"/);
});

test('bad: unparsable criterion', async () => {
  const file = bad('bad-criterion');
  const err = await documentError(file);
  const d = only(err.diagnostics, 'bad-criterion');
  assertWhere(d, file, lineOf(file, /condition: .*===/), 'bad-criterion', 'list');
  assert.match(d.message, /^successCriteria: .*\$statusCode === 200 &&/);
});

test('bad: missing path parameter', async () => {
  const file = bad('missing-path-parameter');
  const err = await documentError(file);
  const d = only(err.diagnostics, 'missing-parameter');
  // the position of the step's parameters list (its first entry)
  assertWhere(d, file, lineOf(file, /^\s+parameters:/) + 1, 'missing-path-param', 'poll');
  assert.match(d.message, /path parameter "message_batch_id" of GET \/messages\/batches\/\{message_batch_id\} has no value/);
});

test('bad: unreadable source description', async () => {
  const file = bad('unreadable-source');
  const err = await documentError(file);
  const d = only(err.diagnostics, 'source-unavailable');
  assertWhere(d, file, lineOf(file, /operationId: listMessageBatches/), 'unreadable-source', 'list');
  assert.match(d.message, /source description "batches" \(.*no-such-description\.yml\) could not be loaded: ENOENT/);
});

test('bad: unreadable document', async () => {
  const err = await documentError(join(BAD, 'does-not-exist.arazzo.yaml'));
  const d = only(err.diagnostics, 'unreadable');
  assert.match(d.message, /cannot read .*does-not-exist\.arazzo\.yaml/);
});

test('bad: workflow-level actions and parameters are located in the workflow that has them', async () => {
  const file = bad('workflow-level-actions');
  // the first workflow is fine
  const ok = await prepareDocument(file);
  assert.equal(ok.plan.workflowId, 'first');
  const err = await documentError(file, { workflowId: 'second' });
  const goto = only(err.diagnostics, 'unknown-step');
  assertWhere(goto, file, lineOf(file, /stepId: missing/), 'second', 'list');
  const param = only(err.diagnostics, 'bad-parameter');
  assertWhere(param, file, lineOf(file, /- name: x-trace/), 'second', 'list');
});

// ---------- compile details that the seeds do not show ----------

const anthropicSpec = parseYaml(readFileSync(join(OWN_OPENAPI, 'anthropic-message-batches-api-openapi.yml'), 'utf8'));
const anthropicSources: Record<string, LoadedSource> = { batches: { name: 'batches', type: 'openapi', location: 'anthropic.yml', spec: anthropicSpec } };

function inlineDoc(workflow: Record<string, unknown>, extra: Record<string, unknown> = {}): ArazzoDocument {
  return {
    arazzo: '1.0.1',
    info: { title: 'inline', version: '1' },
    sourceDescriptions: [{ name: 'batches', url: 'anthropic.yml', type: 'openapi' }],
    workflows: [workflow as never],
    ...extra,
  } as ArazzoDocument;
}

test('compile: responseHeaders lists the lower-cased headers that criteria, actions and outputs read', () => {
  const doc = inlineDoc({
    workflowId: 'h',
    steps: [
      {
        stepId: 'poll',
        operationId: 'retrieveMessageBatch',
        parameters: [{ name: 'message_batch_id', in: 'path', value: 'b1' }],
        successCriteria: [{ condition: '$statusCode == 200' }, { condition: "$response.header.Content-Type == 'application/json'" }],
        onFailure: [{ name: 'again', type: 'retry', retryAfter: 1, criteria: [{ condition: '$response.header.Retry-After != null' }] }],
        outputs: { requestId: '$response.header.Request-Id', status: '$response.body#/processing_status' },
      },
    ],
  });
  const { plan, diagnostics } = compileWorkflow(doc, { file: 'inline.yaml', sources: anthropicSources, serverOverrides: { batches: 'http://sim/' } });
  assert.deepEqual(diagnostics, []);
  assert.ok(plan);
  assert.deepEqual(operationStep(plan.steps[0]).responseHeaders.sort(), ['content-type', 'request-id', 'retry-after']);
  assert.equal(operationStep(plan.steps[0]).operation.serverUrl, 'http://sim');
  assert.deepEqual(lintPlan(plan), []);
});

test('compile: x-temporal-poll at document and step level, and a bad one', () => {
  const step = (extra: Record<string, unknown> = {}) => ({ stepId: 'list', operationId: 'listMessageBatches', ...extra });
  const { plan } = compileWorkflow(inlineDoc({ workflowId: 'p', steps: [step({ 'x-temporal-poll': { maxInterval: '2m', backoff: 1.5 } }), { ...step(), stepId: 'again' }] }, { 'x-temporal-poll': { interval: '5s', timeout: '1h' } }), {
    file: 'inline.yaml',
    sources: anthropicSources,
  });
  assert.ok(plan);
  assert.deepEqual(plan.steps[0].poll, { initialIntervalMs: 5000, maxIntervalMs: 120_000, backoff: 1.5, timeoutMs: 3_600_000 });
  assert.deepEqual(plan.steps[1].poll, { initialIntervalMs: 5000, maxIntervalMs: 60_000, backoff: 2, timeoutMs: 3_600_000 });

  const broken = compileWorkflow(inlineDoc({ workflowId: 'p', steps: [step({ 'x-temporal-poll': { interval: 'soon', backoff: 0.5 } })] }), { file: 'inline.yaml', sources: anthropicSources });
  assert.equal(broken.plan, undefined);
  assert.deepEqual(
    broken.diagnostics.map((d) => [d.code, d.stepId, d.workflowId]),
    [
      ['bad-extension', 'list', 'p'],
      ['bad-extension', 'list', 'p'],
    ],
  );
  const messages = broken.diagnostics.map((d) => d.message).sort();
  assert.match(messages[0], /x-temporal-poll\.backoff must be a number >= 1/);
  assert.match(messages[1], /x-temporal-poll\.interval: cannot read "soon" as a duration/);
});

test('compile: components references resolve, and a dangling one is an error', () => {
  const doc = inlineDoc(
    {
      workflowId: 'c',
      steps: [
        {
          stepId: 'poll',
          operationId: '$sourceDescriptions.batches.retrieveMessageBatch',
          parameters: [{ reference: '$components.parameters.batchId', value: '$inputs.id' }, { reference: '$components.parameters.version' }],
          onFailure: [{ reference: '$components.failureActions.retryOnce' }, { reference: '$components.failureActions.nope' }],
        },
      ],
    },
    {
      components: {
        parameters: { batchId: { name: 'message_batch_id', in: 'path', value: 'x' }, version: { name: 'anthropic-version', in: 'header', value: '2023-06-01' } },
        failureActions: { retryOnce: { name: 'retryOnce', type: 'retry', retryAfter: 2, retryLimit: 1 } },
      },
    },
  );
  const { plan, diagnostics } = compileWorkflow(doc, { file: 'inline.yaml', sources: anthropicSources });
  assert.equal(plan, undefined);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.stepId]),
    [['unknown-reference', 'poll']],
  );
  assert.match(diagnostics[0].message, /"\$components\.failureActions\.nope" does not name an entry of components\.failureActions/);

  (doc.workflows[0].steps[0].onFailure as unknown[]).pop();
  const ok = compileWorkflow(doc, { file: 'inline.yaml', sources: anthropicSources });
  assert.ok(ok.plan);
  assert.deepEqual(operationStep(ok.plan.steps[0]).parameters, [
    { name: 'message_batch_id', in: 'path', value: '$inputs.id', required: true },
    { name: 'anthropic-version', in: 'header', value: '2023-06-01', required: true },
  ]);
  assert.deepEqual(ok.plan.steps[0].onFailure, [{ name: 'retryOnce', type: 'retry', retryAfter: 2, retryLimit: 1 }]);
});

// ---------- inputs ----------

test('checkInputs: a missing required input is named', async () => {
  const { plan } = await prepareDocument(seed('anthropic-batch-create-poll-results'));
  assert.throws(
    () => checkInputs(plan, { apiKey: 'k', requests: [] }),
    (err: unknown) => err instanceof DocumentError && err.diagnostics.length === 1 && err.diagnostics[0].code === 'bad-input' && /missing required input "model"/.test(err.message),
  );
});

test('checkInputs: a value of the wrong type is named', async () => {
  const { plan } = await prepareDocument(seed('anthropic-batch-create-poll-results'));
  assert.throws(
    () => checkInputs(plan, { apiKey: 'k', model: 42, requests: [] }),
    (err: unknown) => err instanceof DocumentError && /input model must be string/.test(err.message) && err.diagnostics[0].workflowId === 'create-poll-retrieve-batch',
  );
  assert.throws(
    () => checkInputs(plan, { apiKey: 'k', model: 'm', requests: { custom_id: 'a' } }),
    (err: unknown) => err instanceof DocumentError && /input requests must be array/.test(err.message),
  );
});

test('checkInputs: a secret reference stands in for a string, but not for an array', async () => {
  const { plan } = await prepareDocument(seed('anthropic-batch-create-poll-results'));
  assert.doesNotThrow(() => checkInputs(plan, { apiKey: { $secret: 'ANTHROPIC_API_KEY' }, model: 'claude', requests: [{ custom_id: 'a', params: {} }] }));
  assert.throws(
    () => checkInputs(plan, { apiKey: { $secret: 'ANTHROPIC_API_KEY' }, model: 'claude', requests: { $secret: 'REQS' } }),
    (err: unknown) => err instanceof DocumentError && /input requests must be array/.test(err.message) && !/REQS/.test(err.message),
  );
  // an object that merely looks like a secret (extra keys) is an object, not a string
  assert.throws(
    () => checkInputs(plan, { apiKey: { $secret: 'K', extra: 1 }, model: 'claude', requests: [] }),
    (err: unknown) => err instanceof DocumentError && /input apiKey must be string/.test(err.message),
  );
});
