// Compiling the rest of Arazzo 1.0.1: workflow steps and their plan shape (Plan.workflows, step.workflow),
// documents of type arazzo, dependsOn (order, cycles), goto/retry workflowId, step timeouts, components.inputs,
// $sourceDescriptions.<name>.url; xpath criteria; the pure helpers the interpreter uses for child runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkInputs, prepareDocument, type PrepareOptions } from '../../src/load/prepare';
import { DocumentError } from '../../src/core/diagnostics';
import { CriterionError, checkCriterion, evaluateCriterion } from '../../src/core/expr';
import { evaluateStep } from '../../src/core/evaluate-step';
import { declaredInputs, dependencyOrder, inputsFor, subPlan } from '../../src/core/subworkflows';
import type { Criterion, Diagnostic, ExpressionContext, Plan } from '../../src/core/types';
import { operationStep, targetOf, workflowStep } from '../helpers/plan';

const FIXTURES = resolve(__dirname, '../fixtures/spec-features');
const MAIN = join(FIXTURES, 'main.arazzo.yaml');

const prepare = async (workflowId: string, opts: PrepareOptions = {}) => (await prepareDocument(MAIN, { workflowId, ...opts })).plan;

async function errorsOf(location: string, opts?: PrepareOptions): Promise<Diagnostic[]> {
  try {
    await prepareDocument(location, opts);
  } catch (err) {
    assert.ok(err instanceof DocumentError, String(err));
    return err.diagnostics.filter((d) => d.severity === 'error');
  }
  assert.fail(`${location} prepared without error`);
}

/** Documents written to a temp dir (relative references resolve between them). */
function docs(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'arazzo-spec-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const OPENAPI = `openapi: 3.1.0
info: { title: t, version: '1' }
servers: [{ url: 'http://api.test' }]
paths:
  /ping:
    get:
      operationId: ping
      responses: { '200': { description: ok } }
`;

const arazzo = (workflows: string, extra = '') => `arazzo: 1.0.1
info: { title: t, version: '1' }
sourceDescriptions:
  - { name: api, url: ./api.yaml, type: openapi }
${extra}workflows:
${workflows}`;

const ping = (stepId = 'p') => `      - stepId: ${stepId}\n        operationId: ping\n`;

// ---------- plan shape ----------

test('a workflowId step compiles to step.workflow (key, workflowId, inputs) and the target lands in plan.workflows', async () => {
  const plan = await prepare('checkout');
  const lookup = workflowStep(plan.steps[0]);
  assert.deepEqual(lookup.workflow, { key: 'getItem', workflowId: 'getItem', inputs: { itemId: '$inputs.itemId' } });
  assert.ok(!('operation' in lookup) && !('parameters' in lookup), 'a workflow step has no operation and no request parameters');
  // the main workflow stays where it was
  assert.equal(plan.workflowId, 'checkout');
  assert.equal(operationStep(plan.steps[1]).operation.operationId, 'createOrder');
  assert.deepEqual(Object.keys(plan.workflows ?? {}), ['getItem']);
  const child = plan.workflows!.getItem;
  assert.equal(child.workflowId, 'getItem');
  assert.equal(operationStep(child.steps[0]).operation.path, '/items/{id}');
  assert.equal(child.workflows, undefined);
});

test('a plan without other workflows has no `workflows` or `dependsOn`', async () => {
  const plan = await prepare('xpath');
  assert.equal(plan.workflows, undefined);
  assert.equal(plan.dependsOn, undefined);
});

test('a workflow of an Arazzo source description: keyed <source>.<workflowId>, its sources relative to its own document', async () => {
  const plan = await prepare('crossDocument', { servers: { api: 'http://main.test', 'shared.catalog': 'http://catalog.test' } });
  assert.deepEqual(workflowStep(plan.steps[0]).workflow, { key: 'shared.priceOf', workflowId: 'priceOf', inputs: { itemId: '$inputs.itemId' } });
  const sub = plan.workflows!['shared.priceOf'];
  assert.equal(resolve(sub.document.file), join(FIXTURES, 'shared.arazzo.yaml'));
  assert.equal(operationStep(sub.steps[0]).operation.source, 'catalog');
  assert.equal(operationStep(sub.steps[0]).operation.serverUrl, 'http://catalog.test', 'the qualified --server override applies');
  assert.deepEqual(sub.sources, { catalog: { url: join(FIXTURES, 'api.openapi.yaml'), type: 'openapi' } });
  const plain = await prepare('crossDocument');
  assert.equal(operationStep(plain.workflows!['shared.priceOf'].steps[0]).operation.serverUrl, 'http://127.0.0.1:9', 'the servers of the description otherwise');
});

test('dependsOn: keys in document order; goto and retry workflowId actions carry the target key', async () => {
  assert.deepEqual((await prepare('withDependencies')).dependsOn, ['getItem', 'shared.priceOf']);
  const transfer = await prepare('transfer');
  assert.equal(targetOf(transfer.steps[0].onSuccess[0]).workflowKey, 'getItem');
  const retry = await prepare('retryWithWorkflow');
  assert.deepEqual([targetOf(retry.steps[0].onFailure[0]).workflowKey, Object.keys(retry.workflows!)], ['refreshToken', ['refreshToken']]);
  const withStep = await prepare('retryWithStep');
  assert.equal(targetOf(withStep.steps[1].onFailure[0]).stepId, 'token');
});

test('step timeout (Arazzo 1.1) in ms on operation and workflow steps; 0 is refused', async () => {
  const plan = await prepare('timeouts');
  assert.deepEqual(
    plan.steps.map((s) => s.timeoutMs),
    [400, undefined, 1000, undefined],
  );
  const dir = docs({ 'api.yaml': OPENAPI, 'a.arazzo.yaml': arazzo(`  - workflowId: w\n    steps:\n${ping()}        timeout: 0\n`) });
  const [e] = await errorsOf(join(dir, 'a.arazzo.yaml'));
  assert.equal(e.code, 'bad-timeout');
  assert.equal(e.pos?.line, 10);
});

test('components.inputs: $ref inlined into the inputs schema, so inputs are checked against it', async () => {
  const plan = await prepare('getItem');
  assert.deepEqual(plan.inputsSchema, { type: 'object', required: ['itemId'], properties: { itemId: { type: 'string' } } });
  assert.throws(() => checkInputs(plan, {}), /missing required input "itemId"/);
  assert.throws(() => checkInputs(plan, { itemId: 5 }), /must be string/);
  checkInputs(plan, { itemId: '5' });
});

test('components.inputs: a nested $ref with siblings, a reference to a missing entry, a self-reference', async () => {
  const extra = `components:
  inputs:
    id: { type: string, minLength: 2 }
    loop: { type: object, properties: { again: { $ref: '#/components/inputs/loop' } } }
`;
  const ok = docs({
    'api.yaml': OPENAPI,
    'a.arazzo.yaml': arazzo(`  - workflowId: w\n    inputs:\n      type: object\n      properties:\n        x: { $ref: '#/components/inputs/id', description: an id }\n    steps:\n${ping()}`, extra),
  });
  const { plan } = await prepareDocument(join(ok, 'a.arazzo.yaml'));
  assert.deepEqual(plan.inputsSchema, { type: 'object', properties: { x: { allOf: [{ type: 'string', minLength: 2 }], description: 'an id' } } });
  assert.throws(() => checkInputs(plan, { x: 'a' }), /fewer than 2 characters/);

  const bad = docs({
    'api.yaml': OPENAPI,
    'a.arazzo.yaml': arazzo(`  - workflowId: w\n    inputs: { $ref: '#/components/inputs/nope' }\n    steps:\n${ping()}  - workflowId: v\n    inputs: { $ref: '#/components/inputs/loop' }\n    steps:\n${ping()}`, extra),
  });
  const codes = (await errorsOf(join(bad, 'a.arazzo.yaml'))).map((d) => d.code);
  assert.deepEqual(codes, ['unknown-reference']);
  const loop = await errorsOf(join(bad, 'a.arazzo.yaml'), { workflowId: 'v' });
  assert.equal(loop[0].code, 'recursive-reference');
  assert.match(loop[0].message, /#\/components\/inputs\/loop → #\/components\/inputs\/loop/);
});

test('$sourceDescriptions.<name>.url is the url resolved against the document (or the --source override), absolute', async () => {
  const plan = await prepare('sourceUrl');
  assert.deepEqual(plan.sources, { api: { url: join(FIXTURES, 'api.openapi.yaml'), type: 'openapi' }, shared: { url: join(FIXTURES, 'shared.arazzo.yaml'), type: 'arazzo' } });
  const copy = join(docs({ 'copy.yaml': readFileSync(join(FIXTURES, 'api.openapi.yaml'), 'utf8') }), 'copy.yaml');
  const overridden = await prepare('sourceUrl', { sources: { api: pathToFileURL(copy).toString() } });
  assert.equal(overridden.sources.api.url, copy);
});

// ---------- errors ----------

test('bad workflow references: unknown workflow, an openapi source, an unknown source', async () => {
  const dir = docs({
    'api.yaml': OPENAPI,
    'a.arazzo.yaml': arazzo(`  - workflowId: w
    steps:
      - stepId: a
        workflowId: nowhere
      - stepId: b
        workflowId: $sourceDescriptions.api.ping
      - stepId: c
        workflowId: $sourceDescriptions.ghost.x
        onSuccess:
          - { name: g, type: goto, workflowId: alsoNowhere }
`),
  });
  const errors = await errorsOf(join(dir, 'a.arazzo.yaml'));
  assert.deepEqual(
    errors.map((d) => [d.code, d.stepId, d.pos?.line]),
    [
      ['unknown-workflow', 'a', 9],
      ['not-an-arazzo-source', 'b', 11],
      ['unknown-source', 'c', 13],
      ['unknown-workflow', 'c', 15],
    ],
  );
  assert.match(errors[0].message, /"nowhere" names no workflow of .*a\.arazzo\.yaml \(it has: w\)/);
});

test('a dependsOn cycle across documents is refused, naming the cycle', async () => {
  const dir = docs({
    'api.yaml': OPENAPI,
    'a.arazzo.yaml': arazzo(`  - workflowId: first\n    dependsOn: [$sourceDescriptions.other.second]\n    steps:\n${ping()}`, '').replace(
      'type: openapi }\n',
      'type: openapi }\n  - { name: other, url: ./b.arazzo.yaml, type: arazzo }\n',
    ),
    'b.arazzo.yaml': arazzo(`  - workflowId: second\n    dependsOn: [$sourceDescriptions.back.first]\n    steps:\n${ping()}`, '').replace(
      'type: openapi }\n',
      'type: openapi }\n  - { name: back, url: ./a.arazzo.yaml, type: arazzo }\n',
    ),
  });
  const errors = await errorsOf(join(dir, 'a.arazzo.yaml'));
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].code, 'dependency-cycle');
  assert.match(errors[0].message, /first → other\.second → first/);
});

test('a dependsOn cycle within the document is refused', async () => {
  const dir = docs({
    'api.yaml': OPENAPI,
    'a.arazzo.yaml': arazzo(`  - workflowId: a\n    dependsOn: [b]\n    steps:\n${ping()}  - workflowId: b\n    dependsOn: [a]\n    steps:\n${ping()}`),
  });
  const errors = await errorsOf(join(dir, 'a.arazzo.yaml'));
  assert.ok(errors.some((d) => d.code === 'dependency-cycle' && /a → b → a|b → a → b/.test(d.message)), JSON.stringify(errors));
});

test('xpath criteria on a step that runs a workflow are refused (the workflow evaluates them, without an XPath engine)', async () => {
  const dir = docs({
    'api.yaml': OPENAPI,
    'a.arazzo.yaml': arazzo(`  - workflowId: w
    steps:
      - stepId: child
        workflowId: v
        successCriteria:
          - { context: $workflows.v.outputs.xml, condition: /a, type: xpath }
  - workflowId: v
    steps:
${ping()}`),
  });
  const [e] = await errorsOf(join(dir, 'a.arazzo.yaml'));
  assert.equal(e.code, 'unsupported');
  assert.match(e.message, /xpath criteria are not supported on a step that runs a workflow/);
});

test('an Arazzo source description that cannot be read is reported where it is used', async () => {
  const dir = docs({
    'api.yaml': OPENAPI,
    'a.arazzo.yaml': arazzo(`  - workflowId: w\n    steps:\n      - stepId: s\n        workflowId: $sourceDescriptions.other.x\n`).replace(
      'type: openapi }\n',
      'type: openapi }\n  - { name: other, url: ./missing.arazzo.yaml, type: arazzo }\n',
    ),
  });
  const [e] = await errorsOf(join(dir, 'a.arazzo.yaml'));
  assert.equal(e.code, 'source-unavailable');
  assert.match(e.message, /missing\.arazzo\.yaml/);
});

// ---------- helpers for child runs ----------

function fakePlan(workflowId: string, extra: Partial<Plan> = {}): Plan {
  return { planVersion: 3, document: { file: 'd', title: 't', arazzo: '1.0.1' }, workflowId, steps: [], outputs: {}, sources: {}, ...extra };
}

test('subPlan: the target with the part of the map it can reach; dependencyOrder: dependencies first, once', () => {
  const step = (stepId: string, key: string) => ({ kind: 'workflow', stepId, workflow: { key, workflowId: key, inputs: {} }, onSuccess: [], onFailure: [] }) as unknown as Plan['steps'][0];
  const c = fakePlan('c');
  const b = fakePlan('b', { dependsOn: ['c'] });
  const d = fakePlan('d', { steps: [step('s', 'e')] });
  const e = fakePlan('e');
  const root = fakePlan('a', { dependsOn: ['b', 'c'], steps: [step('s', 'd')], workflows: { b, c, d, e } });
  assert.deepEqual(dependencyOrder(root), ['c', 'b']);
  assert.deepEqual(Object.keys(subPlan(root, 'b')!.workflows!), ['c']);
  assert.deepEqual(Object.keys(subPlan(root, 'd')!.workflows!), ['e']);
  assert.equal(subPlan(root, 'c')!.workflows, undefined);
  assert.equal(subPlan(root, 'nope'), undefined);
});

test('declaredInputs / inputsFor: properties (also under allOf), or everything when the schema declares none', () => {
  assert.deepEqual(declaredInputs({ type: 'object', properties: { a: {}, b: {} } }), ['a', 'b']);
  assert.deepEqual(declaredInputs({ allOf: [{ properties: { a: {} } }], properties: { c: {} } }), ['c', 'a']);
  assert.equal(declaredInputs(undefined), undefined);
  assert.equal(declaredInputs({ type: 'object' }), undefined);
  assert.deepEqual(inputsFor(fakePlan('x', { inputsSchema: { properties: { a: {} } } }), { a: 1, b: 2 }), { a: 1 });
  assert.deepEqual(inputsFor(fakePlan('x'), { a: 1, b: 2 }), { a: 1, b: 2 });
});

test('evaluateStep with `failed`: the failure actions are chosen without a response; action parameters are evaluated', () => {
  const ctx: ExpressionContext = { inputs: { who: 'me' }, steps: {}, workflows: { child: { outputs: { n: 1 } } } };
  const step = {
    successCriteria: [{ condition: '$workflows.child.outputs.n == 1' }],
    onSuccess: [],
    onFailure: [
      { name: 'notThis', type: 'end' as const, criteria: [{ condition: '$statusCode == 500' }] },
      { name: 'hand', type: 'goto' as const, workflowId: 'other', workflowKey: 'other', inputs: { user: '$inputs.who', n: '$workflows.child.outputs.n' } },
    ],
    outputs: { n: '$workflows.child.outputs.n' },
  };
  const ok = evaluateStep(step, ctx);
  assert.equal(ok.success, true);
  const failed = evaluateStep(step, ctx, [], true);
  assert.equal(failed.success, false);
  assert.deepEqual(failed.failedCriteria, []);
  assert.deepEqual(failed.outputs, { n: 1 });
  assert.deepEqual(failed.action, { name: 'hand', type: 'goto', workflowId: 'other', workflowKey: 'other', inputs: { user: 'me', n: 1 }, on: 'failure' });
});

// ---------- xpath ----------

const XML = '<?xml version="1.0"?><order id="7"><status>Shipped</status><items><item sku="a" qty="2"/><item sku="b" qty="1"/></items></order>';
const xmlCtx = (body: unknown): ExpressionContext => ({ inputs: { status: 'Shipped' }, steps: {}, statusCode: 200, response: { header: {}, body } });
const xp = (condition: string, version?: string): Criterion => ({ context: '$response.body', condition, type: version ? { type: 'xpath', version } : 'xpath' });

test('xpath: Effective Boolean Value of the result, for each version', () => {
  const cases: [Criterion, boolean][] = [
    [xp("/order/status = 'Shipped'", 'xpath-10'), true],
    [xp("/order/status = 'shipped'", 'xpath-10'), false],
    [xp('count(//item) = 2 and sum(//item/@qty) = 3', 'xpath-10'), true],
    [xp('//item[@qty > 1]', 'xpath-20'), true],
    [xp('//item[@qty > 5]', 'xpath-20'), false],
    [xp("string-join(//item/@sku, ',') = 'a,b'", 'xpath-30'), true],
    [xp('/order/@id = 7'), true],
    [xp("/order/status = '{$inputs.status}'"), true],
    [xp('//nothing'), false],
  ];
  for (const [c, expected] of cases) {
    const r = evaluateCriterion(c, xmlCtx(XML));
    assert.equal(r.passed, expected, `${c.condition}: ${r.detail ?? ''}`);
    assert.equal(r.mode, 'xpath');
    assert.deepEqual(checkCriterion(c).errors, [], c.condition);
  }
});

test('xpath: an invalid expression is a CriterionError at check and at run time, never quietly false', () => {
  for (const condition of ['/order/[', 'nosuchfunction(1)', '//item[']) {
    assert.throws(() => evaluateCriterion(xp(condition), xmlCtx(XML)), CriterionError, condition);
    assert.match(checkCriterion(xp(condition)).errors[0] ?? '', /invalid XPath: .*XPST/, condition);
  }
  assert.match(checkCriterion(xp('/a', 'xpath-99')).errors[0], /unsupported xpath version 'xpath-99'/);
  assert.match(checkCriterion({ condition: '/a', type: 'xpath' }).errors[0], /needs a context/);
});

test('xpath: a null, non-text or malformed context fails the criterion with a reason', () => {
  for (const [body, reason] of [
    [undefined, /empty/],
    [null, /empty/],
    [{ order: 1 }, /not XML text/],
    ['<order><status></order>', /not well-formed XML/],
  ] as const) {
    const r = evaluateCriterion(xp('/order'), xmlCtx(body));
    assert.equal(r.passed, false);
    assert.match(r.detail ?? '', reason);
  }
  // a dynamic error (comparing a string with a number in XPath 2.0+) fails, as 1.1 says evaluation errors do
  const dynamic = evaluateCriterion(xp("'a' = 1"), xmlCtx(XML));
  assert.equal(dynamic.passed, false);
  assert.match(dynamic.detail ?? '', /XPTY0004/);
});

test('expressions in the inputs of a workflow step or action are checked before the run', async () => {
  const dir = docs({
    'api.yaml': OPENAPI,
    'a.arazzo.yaml': arazzo(`  - workflowId: w
    steps:
      - stepId: child
        workflowId: v
        parameters:
          - { name: a, value: $inputs. }
          - { name: b, value: 'x {$nope.y}' }
        onSuccess:
          - name: g
            type: goto
            workflowId: v
            parameters:
              - { name: c, value: $steps.child.output }
  - workflowId: v
    steps:
${ping()}`),
  });
  const errors = await errorsOf(join(dir, 'a.arazzo.yaml'));
  assert.deepEqual(
    errors.map((d) => [d.code, d.message.split(':')[0]]),
    [
      ['bad-expression', 'input "a"'],
      ['bad-expression', 'input "b"'],
      ['bad-expression', 'input "c"'],
    ],
  );
});

test('a workflow step with a requestBody or x-temporal-cancel is warned about, at that field: neither has any effect', async () => {
  const dir = docs({
    'api.yaml': OPENAPI,
    'main.arazzo.yaml': arazzo(`  - workflowId: main
    steps:
      - stepId: child
        workflowId: pinger
        requestBody: { payload: { a: 1 } }
        x-temporal-cancel: { operationId: ping }
  - workflowId: pinger
    steps:
${ping()}`),
  });
  const { warnings } = await prepareDocument(join(dir, 'main.arazzo.yaml'), { workflowId: 'main' });
  const body = warnings.find((d) => d.code === 'ignored-request-body');
  const cancel = warnings.find((d) => d.code === 'ignored-extension');
  assert.ok(body && cancel, warnings.map((d) => d.code).join(', '));
  assert.equal(body.stepId, 'child');
  assert.equal(body.pos?.line, 10, 'at the requestBody line');
  assert.equal(cancel.pos?.line, 11, 'at the x-temporal-cancel line');
  assert.match(cancel.message, /x-temporal-cancel applies to operation steps/);
});

// ---------- referenced Arazzo documents get the root's checks ----------

function withReferenced(b: string): string {
  return docs({
    'api.yaml': OPENAPI,
    'a.arazzo.yaml': arazzo(`  - workflowId: first\n    steps:\n      - stepId: run\n        workflowId: $sourceDescriptions.other.second\n`, '').replace(
      'type: openapi }\n',
      'type: openapi }\n  - { name: other, url: ./b.arazzo.yaml, type: arazzo }\n',
    ),
    'b.arazzo.yaml': b,
  });
}

test('a referenced Arazzo document is checked like the root: a duplicate stepId is an error at its own file:line', async () => {
  const dir = withReferenced(arazzo(`  - workflowId: second\n    steps:\n${ping('p')}${ping('p')}`));
  const errors = await errorsOf(join(dir, 'a.arazzo.yaml'));
  const dup = errors.find((d) => d.code === 'duplicate-step');
  assert.ok(dup, JSON.stringify(errors));
  assert.match(dup.pos?.file ?? '', /b\.arazzo\.yaml$/);
  assert.equal(dup.pos?.line, 10);
});

test('a referenced Arazzo document is checked against the JSON Schema, at its own file:line', async () => {
  const dir = withReferenced(arazzo(`  - workflowId: second\n    steps:\n      - stepId: p\n        operationId: ping\n        onSuccess: [{ name: done, type: finish }]\n`));
  const errors = await errorsOf(join(dir, 'a.arazzo.yaml'));
  assert.ok(errors.length > 0);
  assert.ok(errors.every((d) => /b\.arazzo\.yaml$/.test(d.pos?.file ?? '')), JSON.stringify(errors));
  assert.ok(errors.some((d) => d.pos?.line === 10), JSON.stringify(errors));
});
