// Property-based fuzzing (fast-check) of the expression, condition and criterion parsers and evaluators
// (src/core/expressions.ts, conditions.ts, criteria.ts): whatever the text, they either answer or throw one of the
// project's own error classes, and no single case takes long. FUZZ_RUNS sets the number of cases per property
// (10,000 by default, as in CI); FUZZ_SEED replays a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConditionParseError, evaluateCondition, parseCondition } from '../../src/core/expr';
import { CriterionError, checkCriterion, evaluateCriterion } from '../../src/core/expr';
import { ExpressionError, bracedTemplate, evaluateExpression, evaluateValue, findEmbeddedForms, parseExpression, templateText } from '../../src/core/expr';
import { JsonPointerError } from '../../src/core/jsonpointer';
import { XPathSyntaxError } from '../../src/core/xpath-engine';
import { useXPath } from '../../src/activities/xpath';

useXPath();
import type { Criterion, ExpressionContext } from '../../src/core/types';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** The target is 100 ms per case; on a shared 2-core machine a case may be descheduled, so a case may take up to 10× */
const CASE_BUDGET_MS = 1_000;
const TARGET_MS = 100;

const OWN_ERRORS = [ExpressionError, ConditionParseError, CriterionError, XPathSyntaxError, JsonPointerError];

function ctx(): ExpressionContext {
  return {
    url: 'http://127.0.0.1:9/data?q=1',
    method: 'GET',
    statusCode: 200,
    request: { headers: { 'x-a': '1' }, query: { q: '1' }, path: {}, body: { a: 1 } },
    response: {
      headers: { 'content-type': 'application/json', etag: 'v1' },
      body: { a: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', status: 'completed', n: 3, items: [{ n: 1, name: 'x' }, { n: 2 }], nested: { deep: { value: null } }, 'a/b': true, '~': 0 },
    },
    inputs: { x: 'in', n: 2, obj: { k: 'v' }, evil: "@.constructor.constructor('return process')()" },
    steps: { s: { outputs: { o: 1 } } },
    outputs: {},
    workflows: { w: { outputs: { r: 'ok' } } },
    sourceDescriptions: { api: { url: 'http://127.0.0.1:9/' } },
  } as unknown as ExpressionContext;
}

const XML_CTX = (): ExpressionContext => ({ ...ctx(), response: { headers: {}, body: '<r a="1"><b>ok</b><b>two</b></r>' } }) as unknown as ExpressionContext;

// Pieces of the grammars, so that generated text gets past the first character often enough to reach deep paths.
const TOKENS = [
  '$url', '$method', '$statusCode', '$request.header.x-a', '$request.query.q', '$request.body', '$response.body', '$response.header.etag',
  '$inputs.x', '$inputs.obj', '$outputs.o', '$steps.s.outputs.o', '$workflows.w.outputs.r', '$sourceDescriptions.api.url', '$components.inputs.x',
  '#/', '#/a', '#/items/0', '/', '~0', '~1', '~', '.', '..', '$', '@', '?', '*', '[', ']', '(', ')', '{', '}', '{$inputs.x}', '{$', ',', ':',
  '==', '!=', '<', '<=', '>', '>=', '&&', '||', '!', '=', '===', "'", "''", '"', '\\', ' ', '  ', '\t', '\n',
  '0', '1', '-1', '1.5e3', '1e400', 'NaN', 'null', 'true', 'false', 'x', 'a', 'status', 'completed', 'items', 'length',
  'match(', 'search(', 'count(', 'length(', 'value(', 'constructor', '__proto__', 'this', 'process', "('return process')",
  '+', '+)+', '(a+)+', '|', '^', '$', '\\d', '\\w', '\\1', '(?=', '(?<', '[^', '{2,}', '//', '/r', '/r/b', 'text()', '@a', '::', 'doc(',
  'é', '😀', '\u0000', '\u2028', '\uFFFF',
];

const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 24 }).map((parts) => parts.join(''));
const text = fc.oneof(
  { weight: 6, arbitrary: tokenText },
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  // a little depth: the parsers recurse; the limits must answer before the stack does
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('(', '!', '[', '[?(', '{'), fc.integer({ min: 1, max: 3000 }), tokenText).map(([open, n, t]) => open.repeat(n) + t) },
);

const GOESSNER = { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' } as const;
const criterion: fc.Arbitrary<Criterion> = fc.record({
  condition: text,
  context: fc.oneof(fc.constantFrom('$response.body', '$statusCode', '$response.body#/a', '$response.body#/items', '$inputs.obj', '$response.header.etag'), text),
  type: fc.constantFrom(undefined, 'simple', 'regex', 'jsonpath', 'xpath', GOESSNER, { type: 'jsonpath', version: 'rfc9535' }, { type: 'xpath', version: 'xpath-10' }, { type: 'nonsense', version: 'x' }),
}) as fc.Arbitrary<Criterion>;

interface Timing {
  slowest: number;
  slowCase?: string;
  over: number;
}

/** Runs `fn`; an error that is not one of the project's own fails the property. Records the time taken. */
function guarded(timing: Timing, label: string, fn: () => void): void {
  const started = performance.now();
  try {
    fn();
  } catch (e) {
    if (!OWN_ERRORS.some((E) => e instanceof E)) {
      throw new Error(`${label}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message?.slice(0, 300)}`);
    }
  } finally {
    const ms = performance.now() - started;
    if (ms > TARGET_MS) timing.over++;
    if (ms > timing.slowest) Object.assign(timing, { slowest: ms, slowCase: label.slice(0, 300) });
  }
}

function check(name: string, timing: Timing): void {
  const { slowest, slowCase, over } = timing;
  if (over) console.log(`# ${name}: ${over} of ${RUNS} cases over ${TARGET_MS} ms; slowest ${Math.round(slowest)} ms: ${slowCase}`);
  assert.ok(slowest < CASE_BUDGET_MS, `${name}: a case took ${Math.round(slowest)} ms: ${slowCase}`);
  // a budget, not a timing assertion: at most 1% of the cases over the target (deep texts near the limits cost tens of
  // ms alone, and the machine is shared), none over 10× it
  assert.ok(over <= Math.max(5, RUNS / 100), `${name}: ${over} cases over ${TARGET_MS} ms (slowest: ${slowCase})`);
}

const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };

test(`fuzz: runtime expressions (${RUNS} cases)`, () => {
  const timing: Timing = { slowest: 0, over: 0 };
  const c = ctx();
  fc.assert(
    fc.property(text, (s) => {
      guarded(timing, `parseExpression ${JSON.stringify(s)}`, () => void parseExpression(s));
      guarded(timing, `evaluateExpression ${JSON.stringify(s)}`, () => void evaluateExpression(s, c));
      guarded(timing, `findEmbeddedForms ${JSON.stringify(s)}`, () => void findEmbeddedForms(s));
      guarded(timing, `bracedTemplate ${JSON.stringify(s)}`, () => {
        const t = bracedTemplate(s);
        if (t) void templateText(t, c);
      });
      guarded(timing, `evaluateValue ${JSON.stringify(s)}`, () => void evaluateValue(s, c));
    }),
    params,
  );
  check('expressions', timing);
});

test(`fuzz: simple conditions through the criterion entry points (${RUNS} cases)`, () => {
  const timing: Timing = { slowest: 0, over: 0 };
  const c = ctx();
  fc.assert(
    fc.property(text, (s) => {
      // checkCriterion reports problems, it never throws
      let errors: string[] = [];
      const started = performance.now();
      assert.doesNotThrow(() => (errors = checkCriterion({ condition: s }).errors), s);
      timing.slowest = Math.max(timing.slowest, performance.now() - started);
      guarded(timing, `evaluateCriterion simple ${JSON.stringify(s)}`, () => void evaluateCriterion({ condition: s }, c));
      // what the check accepts, the evaluator can evaluate (it may still fail on data, with the project's errors)
      if (!errors.length) guarded(timing, `accepted ${JSON.stringify(s)}`, () => void evaluateCriterion({ condition: s }, c));
    }),
    params,
  );
  check('conditions', timing);
});

test(`fuzz: the condition parser itself, within the criterion length limit (${RUNS} cases)`, () => {
  const timing: Timing = { slowest: 0, over: 0 };
  const c = ctx();
  // parseCondition has no limits of its own (criteria.ts applies them): fuzz it on text the limits let through
  const shallow = text.filter((s) => s.length <= 2000 && !/[(!]{65}/.test(s));
  fc.assert(
    fc.property(shallow, fc.boolean(), (s, contextRoot) => {
      guarded(timing, `parseCondition ${JSON.stringify(s)}`, () => {
        const parsed = parseCondition(s, { contextRoot });
        evaluateCondition(parsed.ast, c, contextRoot ? { contextValue: { a: 1 }, truthiness: 'exists' } : undefined);
      });
    }),
    params,
  );
  check('parseCondition', timing);
});

test(`fuzz: criteria of every type (${RUNS} cases)`, () => {
  const timing: Timing = { slowest: 0, over: 0 };
  const json = ctx();
  const xml = XML_CTX();
  fc.assert(
    fc.property(criterion, (cr) => {
      const label = JSON.stringify(cr);
      let errors: string[] = [];
      guarded(timing, `checkCriterion ${label}`, () => void (errors = checkCriterion(cr).errors));
      for (const c of [json, xml]) guarded(timing, `evaluateCriterion ${label}`, () => void evaluateCriterion(cr, c));
      if (!errors.length) {
        const r = (() => {
          try {
            return evaluateCriterion(cr, json);
          } catch {
            return undefined;
          }
        })();
        if (r) assert.equal(typeof r.passed, 'boolean', label);
      }
    }),
    params,
  );
  check('criteria', timing);
});

test('fuzz: the slow-case guard works (a case over the budget is caught)', () => {
  const timing: Timing = { slowest: 0, over: 0 };
  guarded(timing, 'busy', () => {
    const until = performance.now() + TARGET_MS + 20;
    while (performance.now() < until);
  });
  assert.equal(timing.over, 1);
  assert.throws(() => guarded(timing, 'foreign', () => { throw new TypeError('boom'); }), /foreign: TypeError: boom/);
});
