import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { buildRequest } from '../../src/core/request';
import { evaluateStep, observedValues, responseContext, type StepResponse } from '../../src/core/evaluate-step';
import { evaluateExpression } from '../../src/core/expr';
import { prepareDocument } from '../../src/load/prepare';
import { secretPlaceholder } from '../../src/core/secrets';
import type { ArazzoAction, ExpressionContext, Plan, PlanStep } from '../../src/core/types';
import { operationStep, targetOf } from '../helpers/plan';
import type { OperationStep } from '../../src/core/plan';

const SEEDS = resolve(__dirname, '../../arazzo');

const plans = new Map<string, Promise<Plan>>();
function seedPlan(name: string): Promise<Plan> {
  if (!plans.has(name)) plans.set(name, prepareDocument(join(SEEDS, `${name}.arazzo.yaml`)).then((p) => p.plan));
  return plans.get(name)!;
}
async function seedStep(name: string, stepId: string): Promise<OperationStep> {
  const step = (await seedPlan(name)).steps.find((s) => s.stepId === stepId);
  assert.ok(step, `${name} has no step ${stepId}`);
  return operationStep(step);
}

type RequestStep = Parameters<typeof buildRequest>[0];

function step(parameters: RequestStep['parameters'], extra: Partial<RequestStep> = {}): RequestStep {
  return {
    stepId: 'test',
    operation: { source: 'api', method: 'GET', path: '/items/{item_id}/parts/{part}', serverUrl: 'https://api.test/v1' },
    parameters,
    ...extra,
  };
}

const ctx = (inputs: Record<string, unknown> = {}, steps: ExpressionContext['steps'] = {}): ExpressionContext => ({ inputs, steps });

// ---------- buildRequest ----------

test('buildRequest: path parameters are percent-encoded into the path template', () => {
  const req = buildRequest(
    step([
      { name: 'item_id', in: 'path', value: '$inputs.id' },
      { name: 'part', in: 'path', value: 'a b/c?d#e%' },
    ]),
    ctx({ id: 'batch_1/../x' }),
  );
  assert.equal(req.method, 'GET');
  assert.equal(req.url, 'https://api.test/v1/items/batch_1%2F..%2Fx/parts/a%20b%2Fc%3Fd%23e%25');
});

test('buildRequest: a path parameter that is missing, empty or a secret is refused with the step and name', () => {
  assert.throws(() => buildRequest(step([{ name: 'item_id', in: 'path', value: 'x' }]), ctx()), /step test: path parameter "part" evaluated to nothing/);
  assert.throws(
    () =>
      buildRequest(
        step([
          { name: 'item_id', in: 'path', value: '$inputs.empty' },
          { name: 'part', in: 'path', value: 'p' },
        ]),
        ctx({ empty: '' }),
      ),
    /path parameter "item_id" evaluated to nothing/,
  );
  assert.throws(
    () =>
      buildRequest(
        step([
          { name: 'item_id', in: 'path', value: '$inputs.key' },
          { name: 'part', in: 'path', value: 'p' },
        ]),
        ctx({ key: { $secret: 'API_KEY' } }),
      ),
    /path parameter "item_id" cannot be a secret/,
  );
});

test('buildRequest: query, header and cookie parameters are evaluated to text; missing values are left out', () => {
  const req = buildRequest(
    step(
      [
        { name: 'limit', in: 'query', value: '$inputs.limit' },
        { name: 'after', in: 'query', value: '$steps.list.outputs.lastId' },
        { name: 'missing', in: 'query', value: '$inputs.notGiven' },
        { name: 'filter', in: 'query', value: '$inputs.filter' },
        { name: 'anthropic-version', in: 'header', value: '2023-06-01' },
        { name: 'X-Trace', in: 'header', value: 'run-{$inputs.limit}-{$steps.list.outputs.lastId}' },
        { name: 'session', in: 'cookie', value: '$inputs.session' },
        { name: 'flag', in: 'cookie', value: true },
      ],
      { operation: { source: 'api', method: 'GET', path: '/items', serverUrl: 'https://api.test' } },
    ),
    ctx({ limit: 20, filter: { status: 'done' }, session: 's-1' }, { list: { outputs: { lastId: 'item_9' } } }),
  );
  assert.equal(req.url, 'https://api.test/items');
  assert.deepEqual(req.query, { limit: '20', after: 'item_9', filter: '{"status":"done"}' });
  assert.deepEqual(req.headers, { 'anthropic-version': '2023-06-01', 'X-Trace': 'run-20-item_9' });
  assert.deepEqual(req.cookies, { session: 's-1', flag: 'true' });
  assert.equal(req.body, undefined);
});

test('buildRequest: "Bearer $inputs.apiKey" with a secret yields a placeholder, never the value', async () => {
  const upload = await seedStep('openai-batch-job', 'uploadInput');
  const req = buildRequest(upload, ctx({ apiKey: { $secret: 'OPENAI_API_KEY' }, batchInputFile: '{"custom_id":"a"}\n' }));
  assert.equal(req.headers.Authorization, `Bearer ${secretPlaceholder('OPENAI_API_KEY')}`);
  assert.equal(req.headers.Authorization, 'Bearer {{secret:OPENAI_API_KEY}}');
  const secretValue = 'sk-live-should-never-appear';
  process.env.OPENAI_API_KEY_UNIT = secretValue;
  try {
    const again = buildRequest(upload, ctx({ apiKey: { $secret: 'OPENAI_API_KEY_UNIT' }, batchInputFile: 'x' }));
    assert.ok(!JSON.stringify(again).includes(secretValue));
    assert.equal(again.headers.Authorization, 'Bearer {{secret:OPENAI_API_KEY_UNIT}}');
  } finally {
    delete process.env.OPENAI_API_KEY_UNIT;
  }
  // a plain string key is simply interpolated
  assert.equal(buildRequest(upload, ctx({ apiKey: 'sk-plain', batchInputFile: 'x' })).headers.Authorization, 'Bearer sk-plain');
});

test('buildRequest: a whole-value secret stays a {$secret} reference', async () => {
  const create = await seedStep('anthropic-batch-create-poll-results', 'createBatch');
  const requests = [{ custom_id: 'r1', params: { model: 'claude', max_tokens: 10, messages: [] } }];
  const req = buildRequest(create, ctx({ apiKey: { $secret: 'ANTHROPIC_API_KEY' }, requests }));
  assert.deepEqual(req.headers, { 'x-api-key': { $secret: 'ANTHROPIC_API_KEY' }, 'anthropic-version': '2023-06-01' });
  assert.equal(req.method, 'POST');
  assert.equal(req.url, 'https://api.anthropic.com/v1/messages/batches');
  assert.deepEqual(req.body, { contentType: 'application/json', value: { requests }, fileFields: undefined });
});

test('buildRequest: seed requestBody payloads with expressions, and the multipart file field', async () => {
  const createBatch = await seedStep('openai-batch-job', 'createBatch');
  const req = buildRequest(createBatch, ctx({ apiKey: 'k', endpoint: '/v1/chat/completions' }, { uploadInput: { outputs: { inputFileId: 'file-abc' } } }));
  assert.deepEqual(req.body, {
    contentType: 'application/json',
    value: { input_file_id: 'file-abc', endpoint: '/v1/chat/completions', completion_window: '24h' },
    fileFields: undefined,
  });

  const upload = await seedStep('openai-fine-tuning-job', 'uploadTrainingFile');
  const jsonl = '{"messages":[]}\n{"messages":[]}\n';
  const up = buildRequest(upload, ctx({ apiKey: 'k', trainingFile: jsonl }));
  assert.deepEqual(up.body, { contentType: 'multipart/form-data', value: { file: jsonl, purpose: 'fine-tune' }, fileFields: ['file'] });

  const poll = await seedStep('openai-batch-job', 'pollBatch');
  const p = buildRequest(poll, ctx({ apiKey: 'k' }, { createBatch: { outputs: { batchId: 'batch_42' } } }));
  assert.equal(p.url, 'https://api.openai.com/v1/batches/batch_42');
  assert.equal(p.method, 'GET');
});

test('buildRequest: payload expressions keep their types; template strings interpolate; replacements apply by JSON pointer', () => {
  const inputs = { model: 'gpt', n: 3, tags: ['a', 'b'], cfg: { temperature: 0.2, nested: { keep: true } } };
  const req = buildRequest(
    step([], {
      operation: { source: 'api', method: 'POST', path: '/jobs', serverUrl: 'https://api.test' },
      requestBody: {
        contentType: 'application/json',
        payload: { model: '$inputs.model', n: '$inputs.n', tags: '$inputs.tags', cfg: '$inputs.cfg', label: 'job-{$inputs.model}-{$inputs.n}', literal: 'no $ expression', items: [{ id: '$steps.a.outputs.id' }] },
        replacements: [
          { target: '/cfg/temperature', value: 0.9 },
          { target: '/items/0/name', value: '$inputs.model' },
          { target: '/tags/-', value: 'c' },
          { target: '/a~1b', value: 'slash' },
        ],
      },
    }),
    ctx(inputs, { a: { outputs: { id: 7 } } }),
  );
  assert.deepEqual(req.body?.value, {
    model: 'gpt',
    n: 3,
    tags: ['a', 'b', 'c'],
    cfg: { temperature: 0.9, nested: { keep: true } },
    label: 'job-gpt-3',
    literal: 'no $ expression',
    items: [{ id: 7, name: 'gpt' }],
    'a/b': 'slash',
  });
  // the run inputs are not modified by the replacements
  assert.deepEqual(inputs, { model: 'gpt', n: 3, tags: ['a', 'b'], cfg: { temperature: 0.2, nested: { keep: true } } });
});

test('buildRequest: a whole-payload expression and a replacement into it', () => {
  const payload = { a: 1, b: { c: 2 } };
  const req = buildRequest(
    step([], {
      operation: { source: 'api', method: 'PUT', path: '/x', serverUrl: 'https://api.test' },
      requestBody: { contentType: 'application/json', payload: '$inputs.payload', replacements: [{ target: '/b/c', value: '$inputs.c' }] },
    }),
    ctx({ payload, c: 'three' }),
  );
  assert.deepEqual(req.body?.value, { a: 1, b: { c: 'three' } });
  assert.deepEqual(payload, { a: 1, b: { c: 2 } });
});

// ---------- evaluateStep ----------

function respond(statusCode: number, body: unknown, headers: Record<string, string> = {}): StepResponse {
  return { statusCode, body, headers };
}
const rctx = (res: StepResponse, base: ExpressionContext = ctx()) =>
  responseContext(base, { method: 'GET', url: 'https://api.test/x', headers: { Authorization: 'Bearer {{secret:K}}' }, query: { q: '1' }, cookies: {}, path: { id: '7' } }, res);

test('responseContext: $url, $method and $request.* read the request, with secrets still as placeholders', () => {
  const c = rctx(respond(200, {}));
  assert.equal(evaluateExpression('$url', c), 'https://api.test/x');
  assert.equal(evaluateExpression('$method', c), 'GET');
  assert.equal(evaluateExpression('$request.header.authorization', c), 'Bearer {{secret:K}}');
  assert.equal(evaluateExpression('$request.query.q', c), '1');
  assert.equal(evaluateExpression('$request.path.id', c), '7');
});

test('evaluateStep: seed poll step picks the first matching onSuccess action', async () => {
  const poll = await seedStep('openai-batch-job', 'pollBatch');
  const cases: [string, string | undefined, string | undefined][] = [
    ['validating', 'batchProcessing', 'pollBatch'],
    ['in_progress', 'batchProcessing', 'pollBatch'],
    ['finalizing', 'batchProcessing', 'pollBatch'],
    ['completed', 'batchCompleted', 'getResult'],
    ['COMPLETED', 'batchCompleted', 'getResult'], // string comparison is case-insensitive
    ['failed', undefined, undefined],
    ['expired', undefined, undefined],
  ];
  for (const [status, name, target] of cases) {
    const ev = evaluateStep(poll, rctx(respond(200, { id: 'batch_1', status })));
    assert.equal(ev.success, true, status);
    assert.deepEqual(ev.failedCriteria, []);
    assert.equal(ev.action?.name, name, status);
    assert.equal(targetOf(ev.action).stepId, target, status);
    if (name) assert.equal(ev.action?.on, 'success');
    assert.deepEqual(ev.outputs, { status });
  }
});

test('evaluateStep: the first action whose criteria all pass wins, in list order', () => {
  const actions: ArazzoAction[] = [
    { name: 'notThis', type: 'end', criteria: [{ condition: '$statusCode == 201' }] },
    { name: 'first', type: 'goto', stepId: 'a', criteria: [{ condition: '$statusCode == 200' }, { condition: "$response.body#/kind == 'x'" }] },
    { name: 'second', type: 'goto', stepId: 'b', criteria: [{ condition: '$statusCode == 200' }] },
    { name: 'catchAll', type: 'end' },
  ];
  const s = { successCriteria: [{ condition: '$statusCode < 300' }], onSuccess: actions, onFailure: [], outputs: {} };
  assert.equal(evaluateStep(s, rctx(respond(200, { kind: 'x' }))).action?.name, 'first');
  assert.equal(evaluateStep(s, rctx(respond(200, { kind: 'y' }))).action?.name, 'second');
  assert.equal(evaluateStep(s, rctx(respond(204, { kind: 'x' }))).action?.name, 'catchAll');
  const chosen = evaluateStep(s, rctx(respond(201, {}))).action;
  assert.deepEqual(chosen, { name: 'notThis', type: 'end', on: 'success' });
});

test('evaluateStep: failed criteria choose from onFailure and are listed as written', async () => {
  const poll = await seedStep('openai-batch-job', 'pollBatch');
  const ev = evaluateStep(poll, rctx(respond(500, { error: { message: 'boom' } })));
  assert.equal(ev.success, false);
  assert.deepEqual(ev.failedCriteria, ['$statusCode == 200']);
  assert.equal(ev.action, undefined, 'the seed has no onFailure actions, and onSuccess is not consulted');

  const s = {
    successCriteria: [{ condition: '$statusCode == 200' }, { condition: '$response.body#/ok == true' }],
    onSuccess: [{ name: 'never', type: 'end' as const }],
    onFailure: [
      { name: 'rateLimited', type: 'retry' as const, retryAfter: 5, retryLimit: 3, criteria: [{ condition: '$statusCode == 429' }] },
      { name: 'giveUp', type: 'end' as const },
    ],
    outputs: {},
  };
  const limited = evaluateStep(s, rctx(respond(429, { ok: false })));
  assert.deepEqual(limited.failedCriteria, ['$statusCode == 200', '$response.body#/ok == true']);
  assert.deepEqual(limited.action, { name: 'rateLimited', type: 'retry', retryAfter: 5, retryLimit: 3, on: 'failure' });
  const notOk = evaluateStep(s, rctx(respond(200, { ok: false })));
  assert.deepEqual(notOk.failedCriteria, ['$response.body#/ok == true']);
  assert.equal(notOk.action?.name, 'giveUp');
  assert.equal(notOk.action?.on, 'failure');
  const ok = evaluateStep(s, rctx(respond(200, { ok: true })));
  assert.equal(ok.success, true);
  assert.equal(ok.action?.name, 'never');
});

test('evaluateStep: exhausted retry actions are skipped so later failure actions are considered', () => {
  const s = {
    successCriteria: [{ condition: '$statusCode == 200' }],
    onSuccess: [],
    onFailure: [
      { name: 'retryFast', type: 'retry' as const, retryAfter: 1, retryLimit: 2, criteria: [{ condition: '$statusCode == 503' }] },
      { name: 'retrySlow', type: 'retry' as const, retryAfter: 30, retryLimit: 1, criteria: [{ condition: '$statusCode >= 500' }] },
      { name: 'fallback', type: 'goto' as const, stepId: 'other', criteria: [{ condition: '$statusCode == 503' }] },
    ],
    outputs: {},
  };
  const res = rctx(respond(503, ''));
  assert.equal(evaluateStep(s, res).action?.name, 'retryFast');
  assert.equal(evaluateStep(s, res, ['retryFast']).action?.name, 'retrySlow');
  assert.equal(evaluateStep(s, res, ['retryFast', 'retrySlow']).action?.name, 'fallback');
  assert.equal(targetOf(evaluateStep(s, res, ['retryFast', 'retrySlow']).action).stepId, 'other');
  // a 500 only matches the slow retry; once that is used up nothing matches
  assert.equal(evaluateStep(s, rctx(respond(500, '')), ['retrySlow']).action, undefined);
  // exhausting names a retry action: a goto with the same name is not skipped
  const sameName = { ...s, onFailure: [{ name: 'fallback', type: 'goto' as const, stepId: 'other' }] };
  assert.equal(evaluateStep(sameName, res, ['fallback']).action?.name, 'fallback');
});

test('evaluateStep: outputs from $response.body#/… pointers and case-insensitive $response.header.X', () => {
  const s = {
    successCriteria: [{ condition: '$statusCode == 200' }],
    onSuccess: [],
    onFailure: [],
    outputs: {
      id: '$response.body#/id',
      first: '$response.body#/data/0/name',
      missing: '$response.body#/nope/deeper',
      whole: '$response.body',
      requestId: '$response.header.X-Request-Id',
      lower: '$response.header.retry-after',
      status: '$statusCode',
      url: '$url',
    },
  };
  const body = { id: 'file-1', data: [{ name: 'n0' }, { name: 'n1' }] };
  const ev = evaluateStep(s, rctx(respond(200, body, { 'x-request-id': 'req_123', 'retry-after': '7' })));
  assert.deepEqual(ev.outputs, { id: 'file-1', first: 'n0', missing: undefined, whole: body, requestId: 'req_123', lower: '7', status: 200, url: 'https://api.test/x' });
});

test('evaluateStep: seed outputs, including a JSONL body kept as text', async () => {
  const results = await seedStep('anthropic-batch-create-poll-results', 'getResults');
  const jsonl = '{"custom_id":"a","result":{"type":"succeeded"}}\n{"custom_id":"b","result":{"type":"errored"}}\n';
  const ev = evaluateStep(results, rctx(respond(200, jsonl, { 'content-type': 'application/x-jsonl' })));
  assert.equal(ev.success, true);
  assert.deepEqual(ev.outputs, { results: jsonl });

  const get = await seedStep('openai-fine-tuning-job', 'getResult');
  const g = evaluateStep(get, rctx(respond(200, { id: 'ftjob-1', status: 'succeeded', fine_tuned_model: 'ft:gpt:me', trained_tokens: 1234 })));
  assert.deepEqual(g.outputs, { fineTunedModel: 'ft:gpt:me', trainedTokens: 1234 });
});

// ---------- observedValues ----------

test('observedValues reports $.status for the OpenAI seed poll criteria', async () => {
  for (const [seed, stepId] of [
    ['openai-batch-job', 'pollBatch'],
    ['openai-fine-tuning-job', 'pollJob'],
    ['openai-download-batch-results', 'getBatch'],
  ] as const) {
    const s = await seedStep(seed, stepId);
    assert.deepEqual(observedValues(s, rctx(respond(200, { id: 'x', status: 'failed', errors: { data: [] } }))), { '$.status': 'failed' }, seed);
  }
});

test('observedValues reports $.processing_status for the Anthropic seed, undefined when absent', async () => {
  const s = await seedStep('anthropic-batch-create-poll-results', 'pollBatch');
  assert.deepEqual(observedValues(s, rctx(respond(200, { processing_status: 'canceling' }))), { '$.processing_status': 'canceling' });
  assert.deepEqual(observedValues(s, rctx(respond(200, { other: 1 }))), { '$.processing_status': undefined });
});

test('observedValues follows nested paths and the criterion context', () => {
  const s = {
    onSuccess: [{ name: 'a', type: 'end' as const, criteria: [{ context: '$response.body#/batch', condition: '$.request_counts.errored > 0 && $.status == "ended"', type: 'jsonpath' as const }] }],
    onFailure: [{ name: 'b', type: 'end' as const, criteria: [{ condition: '$statusCode == 500' }] }],
  };
  const observed = observedValues(s, rctx(respond(200, { batch: { status: 'ended', request_counts: { errored: 2 } } })));
  assert.deepEqual(observed, { '$.request_counts.errored': 2, '$.status': 'ended' });
});

// ---------- empty values ----------

test('buildRequest: an optional parameter that evaluates to nothing is left out, never sent as ""', () => {
  const req = buildRequest(
    step([
      { name: 'item_id', in: 'path', value: 'a', required: true },
      { name: 'part', in: 'path', value: 'b', required: true },
      { name: 'limit', in: 'query', value: '$inputs.limit' },
      { name: 'after', in: 'query', value: null },
      { name: 'x-trace', in: 'header', value: '$inputs.trace' },
      { name: 'session', in: 'cookie', value: '' },
    ]),
    ctx({ trace: null }),
  );
  assert.deepEqual(req.query, {});
  assert.deepEqual(req.headers, {});
  assert.deepEqual(req.cookies, {});
});

test('buildRequest: a required parameter with no value fails before sending, naming it, its expression and its input or output', () => {
  const paths = [{ name: 'item_id', in: 'path' as const, value: 'a', required: true }, { name: 'part', in: 'path' as const, value: 'b', required: true }];
  for (const where of ['header', 'query', 'cookie'] as const) {
    assert.throws(
      () => buildRequest(step([...paths, { name: 'anthropic-version', in: where, value: '$inputs.anthropicVersion', required: true }]), ctx({})),
      new RegExp(`required ${where} parameter "anthropic-version" has no value: "\\$inputs.anthropicVersion" evaluated to nothing \\(input "anthropicVersion" was not given`),
    );
  }
  assert.throws(
    () => buildRequest(step([...paths, { name: 'cursor', in: 'query', value: '$steps.list.outputs.next', required: true }]), ctx({}, { list: { outputs: { next: null } } })),
    /required query parameter "cursor" has no value: "\$steps.list.outputs.next" evaluated to nothing \(output "next" of step list is null\)/,
  );
  assert.throws(() => buildRequest(step([paths[0], { name: 'part', in: 'path', value: '$inputs.part', required: true }]), ctx({})), /path parameter "part" evaluated to nothing: .*input "part" was not given/);
  // given a value, it is sent
  const ok = buildRequest(step([...paths, { name: 'anthropic-version', in: 'header', value: '$inputs.v', required: true }]), ctx({ v: '2023-06-01' }));
  assert.equal(ok.headers['anthropic-version'], '2023-06-01');
});
