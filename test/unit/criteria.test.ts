import { paths, query, type JsonValue } from '../../src/core/jsonpath-rfc9535';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConditionParseError, evaluateCondition, parseCondition } from '../../src/core/expr';
import { CriterionError, MAX_REGEX_SUBJECT, checkCriterion, evaluateCriterion, unsafeRegexReason } from '../../src/core/expr';
import { corpusDocuments } from '../helpers/corpus';
import { useXPath } from '../../src/activities/xpath';

useXPath();
import type { Criterion, ExpressionContext } from '../../src/core/types';

const documents = corpusDocuments;

/** Every criterion of every document: success criteria and action criteria (step, workflow, components). */
function corpusCriteria(): { where: string; criterion: Criterion }[] {
  const out: { where: string; criterion: Criterion }[] = [];
  const actions = (where: string, list: any[] | undefined) =>
    (list ?? []).forEach((a) => (a.criteria ?? []).forEach((c: Criterion) => out.push({ where: `${where} ${a.name}`, criterion: c })));
  for (const { file, doc } of documents()) {
    for (const wf of doc.workflows ?? []) {
      actions(`${file} ${wf.workflowId}`, wf.successActions);
      actions(`${file} ${wf.workflowId}`, wf.failureActions);
      for (const step of wf.steps ?? []) {
        const where = `${file} ${wf.workflowId}.${step.stepId}`;
        (step.successCriteria ?? []).forEach((c: Criterion) => out.push({ where, criterion: c }));
        actions(where, step.onSuccess);
        actions(where, step.onFailure);
      }
    }
    actions(`${file} components`, Object.values(doc.components?.successActions ?? {}));
    actions(`${file} components`, Object.values(doc.components?.failureActions ?? {}));
  }
  return out;
}

function ctxWith(response: { statusCode?: number; body?: unknown; header?: Record<string, string> }, inputs: Record<string, unknown> = {}): ExpressionContext {
  return {
    inputs,
    steps: { create: { outputs: { id: 'batch_1', 'result.count': 2, items: [{ id: 7 }] } } },
    statusCode: response.statusCode ?? 200,
    response: { header: response.header ?? {}, body: response.body },
  };
}

// Expected outcome of every condition in the seeds and the corpus, on realistic responses.
// Statuses: OpenAI batch (validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled),
// OpenAI fine-tuning (validating_files, queued, running, succeeded, failed, cancelled),
// Anthropic message batch processing_status (in_progress, canceling, ended).
type Case = { statusCode?: number; body?: unknown; expected: boolean };
const status = (s: string | null, expected: boolean): Case => ({ body: { id: 'x', status: s }, expected });
const processing = (s: string, expected: boolean): Case => ({ body: { id: 'msgbatch_1', processing_status: s }, expected });
const EXPECTED: Record<string, Case[]> = {
  '$statusCode == 200': [
    { statusCode: 200, expected: true },
    { statusCode: 201, expected: false },
    { statusCode: 404, expected: false },
    { statusCode: 500, expected: false },
  ],
  "$.processing_status != 'ended'": [processing('in_progress', true), processing('canceling', true), processing('ended', false), processing('ENDED', false)],
  "$.processing_status == 'ended'": [processing('ended', true), processing('Ended', true), processing('in_progress', false), processing('canceling', false)],
  "$.processing_status == 'canceling'": [processing('canceling', true), processing('ended', false), processing('in_progress', false)],
  '$.status == "completed"': [status('completed', true), status('failed', false), status('in_progress', false), status('expired', false), status(null, false)],
  '$.status != "completed"': [status('failed', true), status('in_progress', true), status('completed', false), status(null, true)],
  '$.status == "validating" || $.status == "in_progress" || $.status == "finalizing"': [
    status('validating', true),
    status('in_progress', true),
    status('finalizing', true),
    status('completed', false),
    status('failed', false),
    status('cancelled', false),
  ],
  '$.status == "succeeded"': [status('succeeded', true), status('failed', false), status('running', false)],
  '$.status == "validating_files" || $.status == "queued" || $.status == "running"': [
    status('validating_files', true),
    status('queued', true),
    status('running', true),
    status('succeeded', false),
    status('failed', false),
    status('cancelled', false),
  ],
  '$.status == "succeeded" || $.status == "failed" || $.status == "cancelled"': [
    status('succeeded', true),
    status('failed', true),
    status('cancelled', true),
    status('running', false),
    status('queued', false),
  ],
};

test('the seeds and corpus contain the criteria this file expects', () => {
  const all = corpusCriteria();
  assert.ok(all.length >= 30, `only ${all.length} criteria found`);
  const distinct = new Set(all.map((x) => x.criterion.condition));
  assert.deepEqual([...distinct].sort(), Object.keys(EXPECTED).sort());
});

test('every corpus criterion passes the static check', () => {
  for (const { where, criterion } of corpusCriteria()) {
    const check = checkCriterion(criterion);
    assert.deepEqual(check.errors, [], `${where}: ${criterion.condition}`);
    const codes = check.warnings.map((w) => w.code);
    if (criterion.type === 'jsonpath') assert.deepEqual(codes, ['jsonpath-comparison'], `${where}: ${criterion.condition}`);
    else assert.deepEqual(codes, [], `${where}: ${criterion.condition}`);
  }
});

test('every corpus criterion evaluates to the right boolean on realistic responses', () => {
  let evaluated = 0;
  for (const { where, criterion } of corpusCriteria()) {
    for (const c of EXPECTED[criterion.condition]) {
      const result = evaluateCriterion(criterion, ctxWith(c));
      assert.equal(result.passed, c.expected, `${where}: '${criterion.condition}' on ${JSON.stringify(c)}`);
      assert.equal(result.mode, criterion.type === 'jsonpath' ? 'comparison-dialect' : 'simple');
      evaluated++;
    }
  }
  assert.ok(evaluated > 100);
});

test('corpus jsonpath criteria fail (not throw) on an empty context', () => {
  for (const { criterion } of corpusCriteria().filter((x) => x.criterion.type === 'jsonpath')) {
    for (const body of [null, undefined]) {
      const result = evaluateCriterion(criterion, ctxWith({ body }));
      assert.equal(result.passed, false);
      assert.match(result.detail ?? '', /context \$response\.body is empty/);
    }
  }
});

// ---------- RFC 9535 ----------

const jp = (condition: string, context = '$response.body'): Criterion => ({ condition, context, type: 'jsonpath' });

test('RFC 9535: root-vs-member rule of the notes table', () => {
  const rows: [string, unknown, boolean, string][] = [
    ['$[?count(@.pets) > 0]', { pets: [{ id: 1 }] }, true, 'jsonpath-rfc9535-wrapped'],
    ['$.pets[*]', { pets: [{ id: 1 }] }, true, 'jsonpath-rfc9535'],
    ["$[?@.status == 'completed']", { status: 'completed' }, true, 'jsonpath-rfc9535-wrapped'],
    // row 4: a nested member must not make the root match
    ["$[?@.status == 'completed']", { status: 'in_progress', errors: { status: 'completed' } }, false, 'jsonpath-rfc9535-wrapped'],
  ];
  for (const [q, body, passed, mode] of rows) {
    assert.deepEqual(evaluateCriterion(jp(q), ctxWith({ body })).passed, passed, `${q} on ${JSON.stringify(body)}`);
    assert.equal(evaluateCriterion(jp(q), ctxWith({ body })).mode, mode);
    assert.deepEqual(checkCriterion(jp(q)).errors, []);
  }
});

test('RFC 9535: filters, wildcards, arrays as context', () => {
  const ok = (q: string, body: unknown) => evaluateCriterion(jp(q), ctxWith({ body })).passed;
  assert.equal(ok('$[?@.count > 0]', { count: 3 }), true);
  assert.equal(ok('$[?@.count > 0]', { count: 0 }), false);
  assert.equal(ok('$[?@.count > 0]', { count: '3' }), false, 'RFC 9535 does not coerce strings');
  // an array context is not wrapped: the filter tests its elements
  const onArray = evaluateCriterion(jp('$[?@.count > 0]'), ctxWith({ body: [{ count: 0 }, { count: 2 }] }));
  assert.deepEqual([onArray.passed, onArray.mode], [true, 'jsonpath-rfc9535']);
  assert.equal(ok('$[?@.count > 5]', [{ count: 0 }, { count: 2 }]), false);
  assert.equal(ok('$.pets[*]', { pets: [] }), false);
  assert.equal(ok('$.pets', { pets: [] }), true, 'a present member is one node');
  assert.equal(ok('$.missing', { pets: [] }), false);
  assert.equal(ok("$['x-request-id']", { 'x-request-id': 'r1' }), true);
  assert.equal(ok('$[?length(@.pets) > 0]', { pets: [] }), false);
  assert.equal(ok('$[?length(@.pets) > 0]', { pets: [1] }), true);
});

test('RFC 9535: count() counts nodes, so the spec example passes on an empty array (and the check warns)', () => {
  const c = jp('$[?count(@.pets) > 0]');
  assert.equal(evaluateCriterion(c, ctxWith({ body: { pets: [] } })).passed, true);
  assert.equal(evaluateCriterion(c, ctxWith({ body: { cats: [] } })).passed, false);
  assert.deepEqual(
    checkCriterion(c).warnings.map((w) => w.code),
    ['jsonpath-count-singular'],
  );
  assert.deepEqual(checkCriterion(jp('$[?count(@.pets[*]) > 0]')).warnings, []);
  assert.equal(evaluateCriterion(jp('$[?count(@.pets[*]) > 0]'), ctxWith({ body: { pets: [] } })).passed, false);
});

test('RFC 9535: {$…} is substituted as text before the query runs', () => {
  const c = jp("$[?@.status == '{$inputs.wanted}']");
  assert.equal(evaluateCriterion(c, ctxWith({ body: { status: 'done' } }, { wanted: 'done' })).passed, true);
  assert.equal(evaluateCriterion(c, ctxWith({ body: { status: 'done' } }, { wanted: 'other' })).passed, false);
  assert.deepEqual(checkCriterion(c).errors, []);
});

test('RFC 9535: a query with an unknown function is not silently false', () => {
  assert.throws(() => evaluateCriterion(jp('$[?foo(@.a)]'), ctxWith({ body: { a: 1 } })), CriterionError);
  assert.match(checkCriterion(jp('$[?foo(@.a)]')).errors[0], /unknown function foo\(\)/);
});

// ---------- comparison dialect ----------

test('comparison dialect: paths, lengths, hyphenated keys, runtime-expression operands', () => {
  const body = { status: 'Completed', input_tokens: 120, data: [{ id: 'f1' }], 'x-request-id': 'req-9', output_file_id: null, done: false };
  const ctx = ctxWith({ body }, { tokenBudget: 200, small: '100' });
  const ok = (q: string) => {
    const r = evaluateCriterion(jp(q), ctx);
    assert.equal(r.mode, 'comparison-dialect', q);
    return r.passed;
  };
  assert.equal(ok("$.status == 'completed'"), true, 'case-insensitive');
  assert.equal(ok('$.input_tokens <= $inputs.tokenBudget'), true);
  assert.equal(ok('$.input_tokens <= $inputs.small'), false, 'numeric string input coerced');
  assert.equal(ok('$.data.length > 0'), true);
  assert.equal(ok('$.data.length > 1'), false);
  assert.equal(ok("$.data[0].id == 'F1'"), true);
  assert.equal(ok("$['x-request-id'] == 'req-9'"), true);
  assert.equal(ok("$.status == 'completed' && $statusCode == 200"), true);
  assert.equal(ok("($.status == 'failed' || $.status == 'completed') && !($.input_tokens > 500)"), true);
  // bare paths inside the dialect: present and not null; booleans as they are
  assert.equal(ok('$.status && $.input_tokens'), true);
  assert.equal(ok('$.status && $.output_file_id'), false);
  assert.equal(ok('$.status && $.missing'), false);
  assert.equal(ok('$.status && $.done'), false);
  assert.equal(ok('$.output_file_id || $.missing || !$.done'), true);
  assert.equal(ok('$.status && $.output_file_id == null'), true);
  // a lone path is a valid RFC 9535 query, which wins: one node (even a null one) passes
  const lone = (q: string) => evaluateCriterion(jp(q), ctx);
  assert.deepEqual([lone('$.status').passed, lone('$.status').mode], [true, 'jsonpath-rfc9535']);
  assert.equal(lone('$.output_file_id').passed, true);
  assert.equal(lone('$.missing').passed, false);
});

test('comparison dialect is reported by the check', () => {
  const check = checkCriterion(jp('$.status == "completed" || $.status == \'in_progress\''));
  assert.deepEqual(check.errors, []);
  assert.deepEqual(
    check.warnings.map((w) => w.code),
    ['jsonpath-comparison'],
  );
});

// ---------- unparsable criteria throw ----------

test('unparsable criteria throw CriterionError and fail the check', () => {
  const bad: Criterion[] = [
    jp('$.status =='),
    jp("$.status === 'x'"),
    jp('$..status == "x"'),
    jp('status == "x"'),
    { condition: '$statusCode = 200' },
    { condition: "$.status == 'x'" },
    { condition: '$statusCode == 200 &&' },
    { condition: "$steps.create == 'x'" },
    { condition: '(', context: '$response.body', type: 'regex' },
    { condition: '(a)\\1', context: '$response.body', type: 'regex' },
    { condition: "$[?match(@.a, '(a+)+')]", context: '$response.body', type: 'jsonpath' },
    { condition: '//status[', context: '$response.body', type: 'xpath' },
    { condition: '$.a', context: '$response.body', type: { type: 'jsonpath', version: 'draft-unknown' } },
  ];
  const ctx = ctxWith({ body: { status: 'x', a: 1 } });
  for (const c of bad) {
    assert.throws(() => evaluateCriterion(c, ctx), CriterionError, c.condition);
    assert.ok(checkCriterion(c).errors.length > 0, `check should report ${c.condition}`);
  }
  assert.throws(() => evaluateCriterion({ condition: '//a[', context: '$response.body', type: 'xpath' }, ctx), /invalid XPath: .*XPST0003/);
  assert.throws(() => evaluateCriterion(jp('$.status =='), ctx), /\$\.status ==/, 'the message names the condition');
});

test('the check reports a missing or invalid context', () => {
  assert.match(checkCriterion({ condition: '$.a', type: 'jsonpath' }).errors[0], /needs a context/);
  assert.match(checkCriterion({ condition: '^a', type: 'regex', context: '$response.body.a' }).errors[0], /use \$response\.body#\/a/);
  assert.match(checkCriterion({ condition: '' }).errors[0], /no condition/);
  assert.throws(() => evaluateCriterion({ condition: '$.a', type: 'jsonpath' }, ctxWith({ body: {} })), /needs a context/);
});

// ---------- simple conditions ----------

const simple = (condition: string, ctx: ExpressionContext) => evaluateCriterion({ condition }, ctx);

test('simple: case-insensitive strings, numeric coercion, null handling', () => {
  const ctx = ctxWith({
    statusCode: 200,
    header: { 'X-RateLimit-Remaining': '5', 'Content-Type': 'Application/JSON', 'X-Flag': 'True' },
    body: { status: 'DONE', count: '42', items: [1, 2, 3], data: null, nested: { 'x-id': 'a' } },
  });
  const cases: [string, boolean][] = [
    ["$response.body#/status == 'done'", true],
    ["$response.body#/status != 'Done'", false],
    ["$response.header.content-type == 'application/json'", true],
    ['$response.header.x-ratelimit-remaining > 3', true],
    ['$response.header.x-ratelimit-remaining == 5', true],
    ["$response.header.x-ratelimit-remaining == '5.0'", false],
    ['$response.body#/count >= 42', true],
    ['$response.body#/count < 100', true],
    ["$response.body#/count == '42'", true],
    ["$response.body#/status > 'a'", true],
    ['$response.body#/status > 1', false],
    ['$response.body#/data == null', true],
    ['$response.body#/missing == null', true],
    ['$response.body.data != null', false],
    ['$response.body#/count == null', false],
    ['null == null', true],
    ['null == 0', false],
    ["null == 'null'", false],
    ['$response.body#/data < 1', false],
    ['$response.body.items.length == 3', true],
    ['$response.body.items[1] == 2', true],
    ["$response.body.nested['x-id'] == 'A'", true],
    ['$response.body#/nested/x-id == \'a\'', true],
    ['$response.body#/items/0 == 1', true],
    ['$statusCode == 200 && $response.body.items.length > 2', true],
    ['$statusCode == 404 || $statusCode == 200', true],
    ['!($statusCode == 404)', true],
    ['true', true],
    ['false', false],
    ['$response.header.x-flag == true', true],
    ['$response.header.x-flag == 1', false],
    ["$steps.create.outputs.id == 'BATCH_1'", true],
    ['$steps.create.outputs.result.count == 2', true],
    ['$steps.create.outputs.items[0].id == 7', true],
    ['$steps.unknown.outputs.id == null', true],
  ];
  for (const [condition, expected] of cases) assert.equal(simple(condition, ctx).passed, expected, condition);
});

test('simple: a bare non-boolean is not true, and the result says why', () => {
  const ctx = ctxWith({ body: { status: 'completed', ok: true } });
  const r = simple('$response.body#/status', ctx);
  assert.equal(r.passed, false);
  assert.match(r.detail ?? '', /not a boolean/);
  assert.equal(simple('$response.body#/ok', ctx).passed, true);
  assert.equal(simple('$response.body#/missing', ctx).passed, false);
});

test('simple: && and || short-circuit', () => {
  const ctx = ctxWith({ statusCode: 500, body: {} });
  // the right-hand ordering would add a note if it were evaluated
  const and = evaluateCondition("$statusCode == 200 && $response.body#/x < 'a'", ctx);
  assert.deepEqual([and.passed, and.notes], [false, []]);
  const or = evaluateCondition("$statusCode == 500 || $response.body#/x < 'a'", ctx);
  assert.deepEqual([or.passed, or.notes], [true, []]);
  const evaluated = evaluateCondition("$statusCode == 500 && $response.body#/x < 'a'", ctx);
  assert.equal(evaluated.passed, false);
  assert.equal(evaluated.notes.length, 1);
});

test('simple: double-quoted strings are accepted leniently and warned about', () => {
  const c: Criterion = { condition: '$response.body#/stop_reason == "tool_use"' };
  assert.equal(evaluateCriterion(c, ctxWith({ body: { stop_reason: 'tool_use' } })).passed, true);
  assert.deepEqual(
    checkCriterion(c).warnings.map((w) => w.code),
    ['double-quoted-string'],
  );
  assert.throws(() => parseCondition('$statusCode == "200"', { lenient: false }), ConditionParseError);
  assert.deepEqual(parseCondition("'it''s' == \"say \\\"hi\\\"\"").ast, {
    type: 'compare',
    op: '==',
    left: { type: 'literal', value: "it's" },
    right: { type: 'literal', value: 'say "hi"' },
  });
});

test('conditions: parse errors carry the column', () => {
  const cases: [string, number][] = [
    ['$statusCode == 200 &&', 22],
    ['$statusCode = 200', 13],
    ["$statusCode == 'abc", 16],
    ['$foo == 1', 2],
    ['$statusCode == 200 == true', 20],
    ['($statusCode == 200', 20],
    ['$.x == 1', 1],
  ];
  for (const [src, column] of cases) {
    assert.throws(
      () => parseCondition(src),
      (e: unknown) => e instanceof ConditionParseError && e.column === column && e.condition === src,
      `${src} → column ${column}`,
    );
  }
});

test('conditions: features and AST shape', () => {
  const parsed = parseCondition('$response.body.items.length > 0 && $statusCode == 200');
  assert.deepEqual(parsed.features, ['lengthProperty']);
  assert.equal(parsed.ast.type, 'logical');
  const member = parseCondition('$response.body.data').ast;
  assert.equal(member.type, 'member');
  assert.deepEqual(member.type === 'member' && member.key, 'data');
});

// ---------- regex ----------

const rx = (condition: string, context = '$response.body'): Criterion => ({ condition, context, type: 'regex' });

test('regex: unanchored search on the context text', () => {
  const ctx = ctxWith({ statusCode: 204, body: { status: 'in_progress' } }, { prefix: 'in_' });
  assert.equal(evaluateCriterion(rx('^2\\d\\d$', '$statusCode'), ctx).passed, true);
  assert.equal(evaluateCriterion(rx('^3\\d\\d$', '$statusCode'), ctx).passed, false);
  assert.equal(evaluateCriterion(rx('progress', '$response.body#/status'), ctx).passed, true);
  assert.equal(evaluateCriterion(rx('^progress', '$response.body#/status'), ctx).passed, false);
  assert.equal(evaluateCriterion(rx('"status":"in_'), ctx).passed, true, 'objects are matched as JSON text');
  assert.equal(evaluateCriterion(rx('^{$inputs.prefix}', '$response.body#/status'), ctx).passed, true);
  const empty = evaluateCriterion(rx('.*', '$response.body#/missing'), ctx);
  assert.deepEqual([empty.passed, empty.mode], [false, 'regex']);
  assert.match(empty.detail ?? '', /empty/);
});

test('regex: subjects over the cap fail with a reason', () => {
  const big = 'a'.repeat(MAX_REGEX_SUBJECT + 1);
  const r = evaluateCriterion(rx('a'), ctxWith({ body: big }));
  assert.equal(r.passed, false);
  assert.match(r.detail ?? '', /limit/);
  assert.equal(evaluateCriterion(rx('a$'), ctxWith({ body: big.slice(1) })).passed, true);
});

test('match()/search() patterns prone to catastrophic backtracking are rejected (jsonpath-rfc9535 runs them on RegExp), ordinary ones are not', () => {
  const q = (p: string): Criterion => ({ condition: `$[?search(@.a, '${p.replace(/\\/g, '\\\\')}')]`, context: '$response.body', type: 'jsonpath' });
  for (const p of ['(a+)+', '(a*)*', '(a|a)*', '(a|ab)+', '^(\\w+\\s?)*$', '([a-z]+)*x', '((ab)+)+', '(x+){2,}', '(?:a|)+']) {
    assert.ok(unsafeRegexReason(p), `should reject ${p}`);
    assert.match(checkCriterion(q(p)).errors[0] ?? '', /catastrophic/, p);
  }
  for (const p of ['^2\\d\\d$', '^(GET|POST)+$', '(ab)+', '^[a-z]+(-[a-z0-9]+)?$', '(\\r\\n|\\n)+', '[(a+)+]', '\\(a+\\)+', 'completed|failed']) {
    assert.equal(unsafeRegexReason(p), undefined, `should accept ${p}`);
    assert.deepEqual(checkCriterion(q(p)).errors, [], p);
    assert.deepEqual(checkCriterion(rx(p)).errors, [], p);
  }
  assert.match(checkCriterion({ condition: '$[?match(@.a, @.b)]', context: '$response.body', type: 'jsonpath' }).errors[0] ?? '', /literal string pattern/);
  assert.equal(evaluateCriterion(q('^comp'), ctxWith({ body: { a: 'completed' } })).passed, true);
});

test('regex criteria run on RE2: nested quantifiers are accepted and take linear time; backtracking features are refused with the reason', () => {
  const subject = 'a'.repeat(100_000) + '!';
  for (const p of ['^(a+)+$', '^(a*)*$', '^(a|a)*$', '^(\\w+\\s?)*$']) {
    assert.deepEqual(checkCriterion(rx(p)).errors, [], p);
    const started = performance.now();
    assert.equal(evaluateCriterion(rx(p), ctxWith({ body: subject })).passed, false, p);
    // a backtracking engine takes longer than the age of the universe here; RE2 a few ms (budget, not a timing assertion)
    assert.ok(performance.now() - started < 5_000, `${p} took ${performance.now() - started} ms`);
  }
  assert.equal(evaluateCriterion(rx('(a+)+!$'), ctxWith({ body: subject })).passed, true);
  for (const [p, why] of [['(a)\\1', /backreference/], ['(?<x>a)\\k<x>', /named backreference/], ['a(?=b)', /lookahead/], ['(?<!a)b', /lookbehind/]] as const) {
    assert.match(checkCriterion(rx(p)).errors[0] ?? '', why, p);
    assert.match(checkCriterion(rx(p)).errors[0] ?? '', /RE2/, p);
  }
  // JavaScript syntax is translated: \u escapes, \/ and named groups
  assert.equal(evaluateCriterion(rx('caf\\u00e9'), ctxWith({ body: 'café' })).passed, true);
  assert.equal(evaluateCriterion(rx('^a\\/b$'), ctxWith({ body: 'a/b' })).passed, true);
  assert.equal(evaluateCriterion(rx('(?<y>\\d{4})-'), ctxWith({ body: '2026-12' })).passed, true);
});

// ---------- Goessner ----------

test('jsonpath draft-goessner uses jsonpath-plus with safe eval', () => {
  const c: Criterion = { condition: "$[?(@.status == 'completed')]", context: '$response.body', type: { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' } };
  const yes = evaluateCriterion(c, ctxWith({ body: { status: 'completed' } }));
  assert.deepEqual([yes.passed, yes.mode], [true, 'jsonpath-goessner-wrapped']);
  assert.equal(evaluateCriterion(c, ctxWith({ body: { status: 'failed' } })).passed, false);
  assert.equal(evaluateCriterion({ ...c, condition: '$.items[*]' }, ctxWith({ body: { items: [1] } })).passed, true);
  assert.throws(() => evaluateCriterion({ ...c, condition: '$[?(@.status == )]' }, ctxWith({ body: [{}] })), CriterionError);
  assert.throws(() => evaluateCriterion({ ...c, condition: '$[?(@.constructor.constructor("return 1")())]' }, ctxWith({ body: [{}] })), /may not run code/);
});

test('RFC 9535: a singular query with an index segment in a comparison (jsonpath-rfc9535 1.3.0 parser fix, src/core/jsonpath-rfc9535.ts)', () => {
  const body = { items: [{ tags: ['x', 'y'] }, { tags: ['z'] }] };
  const ok = (q: string) => evaluateCriterion(jp(q), ctxWith({ body })).passed;
  assert.equal(ok("$.items[?@.tags[0] == 'x']"), true);
  assert.equal(ok("$.items[?@.tags[0] == 'y']"), false);
  assert.equal(ok("$.items[?@.tags[-1] == 'z']"), true);
  assert.equal(ok("$.items[?@['tags'][1] == 'y']"), true);
  assert.deepEqual(query(body as JsonValue, "$.items[?@.tags[0] == 'x']"), [body.items[0]]);
  assert.deepEqual(paths(body as JsonValue, "$.items[?@.tags[-1] == 'z']"), ["$['items'][1]"]);
});
