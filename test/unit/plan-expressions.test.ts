// Parse once (src/core/expr/plan-expressions.ts): a compiled plan carries every criterion's AST and every step's
// parsed strings, and evaluating from them gives what parsing the text gives. Older plans get them on upgrade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareDocument } from '../../src/load/prepare';
import { compileCriterion, evaluateValue, expressionsIn, parseTemplate, withAst } from '../../src/core/expr';
import { isSecretRef, type ExpressionContext } from '../../src/core/types';
import { upgradePlan } from '../../src/core/plan-upgrade';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import type { Plan, PlanStep } from '../../src/core/plan';

const SEEDS = resolve(__dirname, '../../arazzo');
const HISTORIES = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');

/** Every string of a value that holds an expression, found by scanning it (what the tables must hold). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (parseTemplate(value)) out.push(value);
  } else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (typeof value === 'object' && value !== null && !isSecretRef(value))
    Object.entries(value).forEach(([k, v]) => k === 'expressions' || strings(v, out));
  return out;
}

function assertParsed(plan: Plan, label: string): void {
  for (const p of [plan, ...Object.values(plan.workflows ?? {})]) {
    assert.ok(p.expressions, `${label}: plan ${p.workflowId} has an expressions table`);
    for (const s of strings(p.outputs)) assert.ok(Object.hasOwn(p.expressions!, s), `${label}: output ${s}`);
    for (const step of p.steps as PlanStep[]) {
      assert.ok(step.expressions, `${label} ${step.stepId}: expressions table`);
      const criteria = [...step.successCriteria, ...[...step.onSuccess, ...step.onFailure].flatMap((a) => a.criteria ?? [])];
      for (const c of criteria) assert.deepEqual(c.ast, compileCriterion(c), `${label} ${step.stepId}: '${c.condition}' has its AST`);
      const { successCriteria: _s, onSuccess, onFailure, description: _d, expressions, ...values } = step;
      const actions = [...onSuccess, ...onFailure].map(({ criteria: _c, ...a }) => a);
      for (const s of strings([values, actions]))
        assert.ok(Object.hasOwn(expressions!, s), `${label} ${step.stepId}: '${s}' is parsed in the plan`);
    }
  }
}

const seeds = readdirSync(SEEDS).filter((f) => f.endsWith('.arazzo.yaml'));

test('every seed plan carries its criteria ASTs and every string with an expression parsed', async () => {
  assert.ok(seeds.length >= 4);
  for (const f of seeds) assertParsed((await prepareDocument(join(SEEDS, f))).plan, f);
});

test('evaluating from the plan table gives what parsing the text gives; a string not in the table is text', async () => {
  const plan = (await prepareDocument(join(SEEDS, seeds[0]))).plan;
  const ctx: ExpressionContext = { inputs: { apiKey: { $secret: 'K' }, model: 'm', n: 3 }, steps: { a: { outputs: { id: 'x1' } } } };
  for (const step of plan.steps) {
    const { description: _d, expressions, successCriteria: _s, onSuccess: _a, onFailure: _b, ...values } = step;
    assert.deepEqual(evaluateValue(values, ctx, { templates: expressions }), evaluateValue(values, ctx), step.stepId);
  }
  assert.equal(evaluateValue('$inputs.model', ctx, { templates: {} }), '$inputs.model');
});

test('a recorded plan of an older version upgrades with its expressions parsed, and its steps name what they read', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
  let checked = 0;
  const reads = new Set<string>();
  for (const f of files) {
    const { history } = JSON.parse(readFileSync(join(HISTORIES, f), 'utf8'));
    const attrs = history.events[0].workflowExecutionStartedEventAttributes;
    if (attrs.workflowType.name !== 'arazzoWorkflow') continue;
    const plan = upgradePlan(JSON.parse(Buffer.from(attrs.input.payloads[0].data, 'base64').toString('utf8')).plan);
    assertParsed(plan, f);
    for (const e of plan.steps.flatMap((s) => expressionsIn(s))) reads.add(e.root);
    checked++;
  }
  assert.ok(checked >= 10, String(checked));
  for (const root of ['inputs', 'steps', 'response', 'statusCode']) assert.ok(reads.has(root), `${root} in ${[...reads]}`);
});

test('a criterion that does not parse carries no AST (it fails where it is evaluated); one written with an ast gets its own', () => {
  assert.equal(withAst({ condition: '$statusCode ==' }).ast, undefined);
  assert.equal(
    withAst({ condition: '$statusCode == 200', ast: { type: 'simple', condition: { type: 'literal', value: true } } }).ast?.type,
    'simple',
  );
  assert.deepEqual(
    withAst({ condition: '$statusCode == 200', ast: { type: 'simple', condition: { type: 'literal', value: true } } }).ast,
    compileCriterion({ condition: '$statusCode == 200' }),
  );
});
