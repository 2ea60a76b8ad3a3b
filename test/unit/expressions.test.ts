import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ExpressionError,
  evaluateExpression,
  evaluateValue,
  findEmbeddedForms,
  isExpression,
  parseExpression,
  toText,
} from '../../src/core/expr';
import { JsonPointerError, getPointer, parsePointer, setPointer } from '../../src/core/jsonpointer';
import { secretPlaceholder } from '../../src/core/secrets';
import { corpusDocuments } from '../helpers/corpus';
import type { ExpressionContext } from '../../src/core/types';

const documents = corpusDocuments;

const ctx: ExpressionContext = {
  inputs: { apiKey: { $secret: 'OPENAI_API_KEY' }, model: 'gpt-4o-mini', n: 3, flag: false, user: { name: 'Ann', tags: ['a'] }, 'dotted.name': 'exact' },
  steps: {
    createBatch: { outputs: { batchId: 'batch_1', 'result.count': 2, pets: [{ id: 11 }], mapped: { name: 'rex' } } },
  },
  workflows: { child: { inputs: { q: 'x' }, outputs: { mapped: { name: 'rex' } } } },
  outputs: { final: 'done' },
  sourceDescriptions: { openaiApi: { url: 'https://example.test/openapi.yml', type: 'openapi' } },
  url: 'https://api.test/v1/batches/batch_1',
  method: 'GET',
  statusCode: 200,
  request: { header: { Authorization: 'Bearer x' }, query: { limit: '10', 'filter.name': 'q' }, path: { batch_id: 'batch_1' }, body: { a: 1 } },
  response: {
    header: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-1' },
    body: { id: 'batch_1', status: 'completed', 'x-trace-id': 't-9', 'a/b': 1, 'm~n': 2, items: [{ id: 1 }, { id: 2 }], output_file_id: null },
  },
};

// ---------- parsing ----------

test('parseExpression: every root', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['$url', { root: 'url' }],
    ['$method', { root: 'method' }],
    ['$statusCode', { root: 'statusCode' }],
    ['$request.header.X-Api-Key', { root: 'request', source: 'header', name: 'X-Api-Key' }],
    ['$request.query.limit', { root: 'request', source: 'query', name: 'limit' }],
    ['$request.path.batch_id', { root: 'request', source: 'path', name: 'batch_id' }],
    ['$request.body', { root: 'request', source: 'body' }],
    ['$request.body#/a', { root: 'request', source: 'body', pointer: '/a' }],
    ['$response.header.Retry-After', { root: 'response', source: 'header', name: 'Retry-After' }],
    ['$response.body', { root: 'response', source: 'body' }],
    ['$response.body#/data/0/x-id', { root: 'response', source: 'body', pointer: '/data/0/x-id' }],
    ['$response.body#', { root: 'response', source: 'body', pointer: '' }],
    ['$inputs.apiKey', { root: 'inputs', name: 'apiKey' }],
    ['$inputs.user#/name', { root: 'inputs', name: 'user', pointer: '/name' }],
    ['$outputs.result.count', { root: 'outputs', name: 'result.count' }],
    ['$steps.createBatch.outputs.batchId', { root: 'steps', stepId: 'createBatch', name: 'batchId' }],
    ['$steps.get-pets.outputs.pets#/0/id', { root: 'steps', stepId: 'get-pets', name: 'pets', pointer: '/0/id' }],
    ['$workflows.foo.outputs.mapped#/name', { root: 'workflows', workflowId: 'foo', field: 'outputs', name: 'mapped', pointer: '/name' }],
    ['$workflows.foo.inputs.q', { root: 'workflows', workflowId: 'foo', field: 'inputs', name: 'q' }],
    ['$sourceDescriptions.openaiApi.url', { root: 'sourceDescriptions', sourceName: 'openaiApi', name: 'url' }],
    ['$sourceDescriptions.openaiApi.createBatch', { root: 'sourceDescriptions', sourceName: 'openaiApi', name: 'createBatch' }],
    ['$components.parameters.auth', { root: 'components', kind: 'parameters', name: 'auth' }],
    ['$components.successActions.done', { root: 'components', kind: 'successActions', name: 'done' }],
    ['$statusCode#/x', { root: 'statusCode', pointer: '/x' }],
  ];
  for (const [src, expected] of cases) {
    assert.deepEqual(parseExpression(src), { ...expected, text: src }, src);
    assert.equal(isExpression(src), true, src);
  }
});

test('parseExpression: invalid expressions throw ExpressionError saying what was expected', () => {
  const cases: [string, RegExp][] = [
    ['$foo', /expected a root: \$url, \$method/],
    ['inputs.x', /expected '\$'/],
    ['$inputs', /expected '\.<name>' after \$inputs/],
    ['$inputs.', /expected an input name/],
    ['$steps.a', /'\.outputs\.<name>' after \$steps\.a/],
    ['$steps.a.b.outputs.c', /'\.outputs\.<name>' after \$steps\.a/],
    ['$steps.a.inputs.c', /'\.outputs\.<name>' after \$steps\.a/],
    ['$workflows.w.steps.x', /inputs or outputs after \$workflows\.w\./],
    ['$response.query.x', /header, body after \$response\./],
    ['$request.cookie.x', /header, query, path, body after \$request\./],
    ['$response.body.id', /use \$response\.body#\/id/],
    ['$response.body#id', /JSON Pointer starting with '\/'/],
    ['$response.body#/a~2', /'~0' or '~1'/],
    ['$components.schemas.x', /inputs, parameters, successActions, failureActions/],
    ['$inputs.a b', /unexpected ' b' after \$inputs\.a/],
    ['Bearer $inputs.apiKey', /expected '\$'/],
    ['', /expected '\$'/],
  ];
  for (const [src, message] of cases) {
    assert.throws(
      () => parseExpression(src),
      (e: unknown) => e instanceof ExpressionError && e.expression === src && message.test(e.message),
      src,
    );
    assert.equal(isExpression(src), false, src);
  }
});

test('every runtime expression in the seeds and corpus parses', () => {
  let count = 0;
  const check = (where: string, src: unknown) => {
    if (typeof src !== 'string' || !src.startsWith('$')) return;
    assert.doesNotThrow(() => parseExpression(src), `${where}: ${src}`);
    count++;
  };
  for (const { file, doc } of documents()) {
    for (const wf of doc.workflows) {
      Object.values(wf.outputs ?? {}).forEach((v) => check(`${file} outputs`, v));
      for (const step of wf.steps) {
        const where = `${file} ${step.stepId}`;
        Object.values(step.outputs ?? {}).forEach((v) => check(where, v));
        (step.parameters ?? []).forEach((p: { value: unknown }) => check(where, p.value));
        Object.values(step.requestBody?.payload ?? {}).forEach((v) => check(where, v));
        for (const a of [...(step.onSuccess ?? []), ...(step.onFailure ?? [])]) (a.criteria ?? []).forEach((c: { context?: string }) => check(where, c.context));
      }
    }
  }
  assert.ok(count > 80, `only ${count} expressions found`);
});

test('the seeds\' "Bearer $inputs.apiKey" headers are found as unbraced and interpolated with a placeholder', () => {
  let headers = 0;
  for (const { doc } of documents()) {
    for (const step of doc.workflows.flatMap((w: { steps: unknown[] }) => w.steps)) {
      for (const p of step.parameters ?? []) {
        if (p.name !== 'Authorization') continue;
        headers++;
        assert.deepEqual(findEmbeddedForms(p.value), { unbraced: ['$inputs.apiKey'], braced: [], invalidBraced: [] });
        assert.equal(evaluateValue(p.value, ctx), 'Bearer {{secret:OPENAI_API_KEY}}');
      }
    }
  }
  assert.ok(headers >= 10);
});

// ---------- evaluation ----------

test('evaluateExpression: values keep their type', () => {
  assert.equal(evaluateExpression('$statusCode', ctx), 200);
  assert.equal(evaluateExpression('$url', ctx), ctx.url);
  assert.equal(evaluateExpression('$method', ctx), 'GET');
  assert.deepEqual(evaluateExpression('$response.body#/items', ctx), [{ id: 1 }, { id: 2 }]);
  assert.equal(evaluateExpression('$response.body', ctx), ctx.response!.body);
  assert.equal(evaluateExpression('$response.body#', ctx), ctx.response!.body);
  assert.equal(evaluateExpression('$response.body#/items/1/id', ctx), 2);
  assert.equal(evaluateExpression('$response.body#/output_file_id', ctx), null);
  assert.equal(evaluateExpression('$inputs.n', ctx), 3);
  assert.equal(evaluateExpression('$inputs.flag', ctx), false);
  assert.deepEqual(evaluateExpression('$inputs.apiKey', ctx), { $secret: 'OPENAI_API_KEY' });
  assert.equal(evaluateExpression('$inputs.apiKey#/$secret', ctx), undefined, 'secret references are opaque');
  assert.equal(evaluateExpression('$steps.createBatch.outputs.batchId', ctx), 'batch_1');
  assert.equal(evaluateExpression('$steps.createBatch.outputs.pets#/0/id', ctx), 11);
  assert.equal(evaluateExpression('$workflows.child.outputs.mapped#/name', ctx), 'rex');
  assert.equal(evaluateExpression('$workflows.child.inputs.q', ctx), 'x');
  assert.equal(evaluateExpression('$outputs.final', ctx), 'done');
  assert.equal(evaluateExpression('$sourceDescriptions.openaiApi.url', ctx), 'https://example.test/openapi.yml');
  assert.equal(evaluateExpression('$request.path.batch_id', ctx), 'batch_1');
  assert.equal(evaluateExpression('$request.query.limit', ctx), '10');
  assert.equal(evaluateExpression('$request.query.filter.name', ctx), 'q');
  assert.deepEqual(evaluateExpression('$request.body', ctx), { a: 1 });
});

test('evaluateExpression: header names are case-insensitive', () => {
  assert.equal(evaluateExpression('$response.header.content-type', ctx), 'application/json');
  assert.equal(evaluateExpression('$response.header.X-REQUEST-ID', ctx), 'req-1');
  assert.equal(evaluateExpression('$request.header.authorization', ctx), 'Bearer x');
  assert.equal(evaluateExpression('$request.query.LIMIT', ctx), undefined, 'query names are case-sensitive');
});

test('evaluateExpression: pointers with escapes and hyphenated keys', () => {
  assert.equal(evaluateExpression('$response.body#/x-trace-id', ctx), 't-9');
  assert.equal(evaluateExpression('$response.body#/a~1b', ctx), 1);
  assert.equal(evaluateExpression('$response.body#/m~0n', ctx), 2);
  assert.equal(evaluateExpression('$response.body#/items/-', ctx), undefined);
  assert.equal(evaluateExpression('$response.body#/items/01', ctx), undefined);
});

test('evaluateExpression: dotted output names, exact key first, then navigation', () => {
  assert.equal(evaluateExpression('$steps.createBatch.outputs.result.count', ctx), 2);
  assert.equal(evaluateExpression('$inputs.dotted.name', ctx), 'exact');
  assert.equal(evaluateExpression('$inputs.user.name', ctx), 'Ann');
  assert.equal(evaluateExpression('$inputs.user.tags.0', ctx), 'a');
  assert.equal(evaluateExpression('$inputs.user.missing', ctx), undefined);
});

test('evaluateExpression: missing values and unknown steps are undefined, not errors', () => {
  assert.equal(evaluateExpression('$inputs.nope', ctx), undefined);
  assert.equal(evaluateExpression('$steps.nope.outputs.x', ctx), undefined);
  assert.equal(evaluateExpression('$workflows.nope.outputs.x', ctx), undefined);
  assert.equal(evaluateExpression('$response.body#/nope/deeper', ctx), undefined);
  assert.equal(evaluateExpression('$response.header.nope', ctx), undefined);
  assert.equal(evaluateExpression('$components.parameters.auth', ctx), undefined);
  const bare: ExpressionContext = { inputs: {}, steps: {} };
  for (const e of ['$statusCode', '$response.body#/a', '$request.header.x', '$outputs.x', '$sourceDescriptions.s.url']) {
    assert.equal(evaluateExpression(e, bare), undefined, e);
  }
  assert.throws(() => evaluateExpression('$nope', ctx), ExpressionError);
});

// ---------- values and interpolation ----------

test('evaluateValue: walks objects and arrays, keeps types, leaves non-expressions alone', () => {
  const payload = {
    model: '$inputs.model',
    n: '$inputs.n',
    training_file: '$steps.createBatch.outputs.batchId',
    nested: [{ items: '$response.body#/items' }, 7, true, null],
    completion_window: '24h',
    version: '2023-06-01',
    jsonpath: '$.data[*].id',
    price: 'costs $5 or $foo.bar',
  };
  assert.deepEqual(evaluateValue(payload, ctx), {
    model: 'gpt-4o-mini',
    n: 3,
    training_file: 'batch_1',
    nested: [{ items: [{ id: 1 }, { id: 2 }] }, 7, true, null],
    completion_window: '24h',
    version: '2023-06-01',
    jsonpath: '$.data[*].id',
    price: 'costs $5 or $foo.bar',
  });
  assert.equal(evaluateValue(42, ctx), 42);
  assert.equal(evaluateValue(undefined, ctx), undefined);
});

test('evaluateValue: braced interpolation stringifies (scalars, JSON for objects, raw strings unchanged)', () => {
  const raw: ExpressionContext = { ...ctx, response: { header: {}, body: '{"line":1}\n{"line":2}\n' } };
  assert.equal(evaluateValue('/batches/{$steps.createBatch.outputs.batchId}/cancel', ctx), '/batches/batch_1/cancel');
  assert.equal(evaluateValue('n={$inputs.n}, flag={$inputs.flag}', ctx), 'n=3, flag=false');
  assert.equal(evaluateValue('user={$inputs.user}', ctx), 'user={"name":"Ann","tags":["a"]}');
  assert.equal(evaluateValue('body: {$response.body}', raw), 'body: {"line":1}\n{"line":2}\n');
  assert.equal(evaluateValue('null={$response.body#/output_file_id} missing=[{$inputs.nope}]', ctx), 'null=null missing=[]');
  assert.equal(evaluateValue('{$inputs.n}', ctx), 3, 'a string that is exactly one {$…} keeps the type');
  assert.equal(evaluateValue('{$bad} and {$inputs.n', ctx), '{$bad} and {$inputs.n', 'invalid braces are left alone');
  assert.equal(evaluateValue('{$inputs.n}{$inputs.model}', ctx), '3gpt-4o-mini');
});

test('evaluateValue: unbraced expressions in strings are interpolated only when lenient', () => {
  assert.equal(evaluateValue('Bearer $inputs.apiKey', ctx), `Bearer ${secretPlaceholder('OPENAI_API_KEY')}`);
  assert.equal(evaluateValue('Model $inputs.model.', ctx), 'Model gpt-4o-mini.', 'a trailing dot ends the name');
  assert.equal(evaluateValue('id=$steps.createBatch.outputs.batchId&x=1', ctx), 'id=batch_1&x=1');
  assert.equal(evaluateValue('Bearer $inputs.apiKey', ctx, { lenient: false }), 'Bearer $inputs.apiKey');
  assert.deepEqual(evaluateValue({ h: 'Bearer $inputs.apiKey' }, ctx, { lenient: false }), { h: 'Bearer $inputs.apiKey' });
  assert.equal(evaluateValue('$inputs.model', ctx, { lenient: false }), 'gpt-4o-mini', 'whole values are always expressions');
});

test('evaluateValue: secrets stay references or become placeholders, never values', () => {
  assert.deepEqual(evaluateValue('$inputs.apiKey', ctx), { $secret: 'OPENAI_API_KEY' });
  assert.deepEqual(evaluateValue({ $secret: 'LITERAL' }, ctx), { $secret: 'LITERAL' });
  assert.equal(evaluateValue('key={$inputs.apiKey}', ctx), 'key={{secret:OPENAI_API_KEY}}');
  const withSecret: ExpressionContext = { ...ctx, inputs: { creds: { user: 'u', key: { $secret: 'K' } } } };
  assert.equal(evaluateValue('creds={$inputs.creds}', withSecret), 'creds={"user":"u","key":"{{secret:K}}"}');
  assert.deepEqual(evaluateValue({ auth: '$inputs.creds' }, withSecret), { auth: { user: 'u', key: { $secret: 'K' } } });
  assert.equal(toText({ $secret: 'X' }), '{{secret:X}}');
});

test('evaluateValue: object keys such as __proto__ stay plain keys', () => {
  const out = evaluateValue(JSON.parse('{"__proto__": {"polluted": "$inputs.n"}}'), ctx) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('findEmbeddedForms', () => {
  const value = {
    a: 'Bearer $inputs.apiKey',
    b: ['/x/{$steps.s1.outputs.id}', '$steps.s2.outputs.id'],
    c: '{$nope.x} $foo $.a',
    d: "$steps.s3.outputs.status == 'done' && $statusCode == 200",
  };
  assert.deepEqual(findEmbeddedForms(value), {
    unbraced: ['$inputs.apiKey', '$steps.s3.outputs.status', '$statusCode'],
    braced: ['$steps.s1.outputs.id'],
    invalidBraced: ['{$nope.x}'],
  });
});

// ---------- JSON Pointer ----------

test('jsonpointer: get', () => {
  const doc = { 'a/b': { '~c': [10, 20] }, 'x-id': 'h', '': 'empty', '%25': 'pct' };
  assert.equal(getPointer(doc, ''), doc);
  assert.deepEqual(getPointer(doc, '/a~1b/~0c'), [10, 20]);
  assert.equal(getPointer(doc, '/a~1b/~0c/1'), 20);
  assert.equal(getPointer(doc, '/x-id'), 'h');
  assert.equal(getPointer(doc, '/'), 'empty');
  assert.equal(getPointer(doc, '/%25'), 'pct', 'no percent-decoding outside fragments');
  assert.equal(getPointer(doc, '/a~1b/~0c/2'), undefined);
  assert.equal(getPointer(doc, '/a~1b/~0c/-'), undefined);
  assert.equal(getPointer(doc, '/nope/deeper'), undefined);
  assert.equal(getPointer(doc, '/constructor'), undefined, 'only own members');
  assert.equal(getPointer('text', '/0'), undefined);
  assert.throws(() => getPointer(doc, 'x-id'), JsonPointerError);
  assert.throws(() => getPointer(doc, '/a~2'), JsonPointerError);
});

test('jsonpointer: URI fragments are percent-decoded', () => {
  const spec = { paths: { '/pets/{id}': { get: { operationId: 'getPet' } } } };
  assert.deepEqual(parsePointer('#/paths/~1pets~1%7Bid%7D/get', { uriFragment: true }), ['paths', '/pets/{id}', 'get']);
  assert.equal(getPointer(spec, '#/paths/~1pets~1{id}/get/operationId', { uriFragment: true }), 'getPet');
  assert.equal(getPointer(spec, '/paths/~1pets~1%7Bid%7D/get', {}), undefined);
  assert.throws(() => parsePointer('#/%E0%A4%A', { uriFragment: true }), JsonPointerError);
});

test('jsonpointer: setPointer writes into a copy', () => {
  const doc = { a: { b: 1, keep: { deep: true } }, list: [1, 2], 'x-y': 0 };
  const out = setPointer(doc, '/a/b', 2);
  assert.deepEqual(out, { a: { b: 2, keep: { deep: true } }, list: [1, 2], 'x-y': 0 });
  assert.equal(doc.a.b, 1, 'the original is unchanged');
  assert.equal(out.a.keep, doc.a.keep, 'untouched branches are shared');
  assert.deepEqual(setPointer(doc, '/list/-', 3).list, [1, 2, 3]);
  assert.deepEqual(setPointer(doc, '/list/0', 9).list, [9, 2]);
  assert.deepEqual(setPointer(doc, '/list/2', 3).list, [1, 2, 3]);
  assert.equal(setPointer(doc, '/x-y', 5)['x-y'], 5);
  assert.deepEqual(setPointer(doc, '/a/new', 'n').a, { b: 1, keep: { deep: true }, new: 'n' });
  assert.equal(setPointer(doc, '', 'whole'), 'whole');
  assert.deepEqual(doc.list, [1, 2]);
  assert.throws(() => setPointer(doc, '/missing/x', 1), JsonPointerError);
  assert.throws(() => setPointer(doc, '/list/5', 1), JsonPointerError);
  assert.throws(() => setPointer(doc, '/a/b/c', 1), JsonPointerError);
  const polluted = setPointer({}, '/__proto__', { evil: true }) as Record<string, unknown>;
  assert.ok(Object.hasOwn(polluted, '__proto__'));
  assert.equal(({} as Record<string, unknown>).evil, undefined);
});
