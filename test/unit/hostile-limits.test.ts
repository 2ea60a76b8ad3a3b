// The limits of src/core/limits.ts at their edges: what is just under a limit is accepted, what is over is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentError } from '../../src/core/diagnostics';
import type { Plan } from '../../src/core/types';
import { LIMITS, checkInputLimits, checkPlanLimits, decodeDocument, invalidUtf8Offset, tooDeepPath } from '../../src/core/limits';
import { parseWithPositions } from '../../src/load/parse-document';

test('UTF-8: every valid sequence passes, a BOM is dropped, invalid ones are found at their offset', () => {
  const text = 'a é € 😀 \u{10FFFF} end';
  assert.equal(invalidUtf8Offset(Buffer.from(text, 'utf8')), -1);
  assert.equal(decodeDocument(Buffer.from('\uFEFF' + text, 'utf8'), 'f'), text);
  for (const [hex, at] of [['61ff', 1], ['61c3', 1], ['c0af', 0], ['eda080', 0], ['f4908080', 0], ['e282', 0], ['f0', 0], ['80', 0]] as const) {
    assert.equal(invalidUtf8Offset(Buffer.from(hex, 'hex')), at, hex);
  }
  try {
    decodeDocument(Buffer.concat([Buffer.from('a: 1\nb: caf'), Buffer.from('e9', 'hex'), Buffer.from('\n')]), 'doc.yaml');
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof DocumentError);
    assert.deepEqual([e.diagnostics[0].code, e.diagnostics[0].pos], ['not-utf8', { file: 'doc.yaml', line: 2, column: 7 }]);
  }
  assert.throws(() => decodeDocument(new Uint8Array(11), 'f', 10), /over the 0 KiB limit|over the/);
});

test('nesting: exactly at the limit is accepted, one more level is refused', () => {
  const nested = (n: number) => 'x: ' + '['.repeat(n - 1) + ']'.repeat(n - 1) + '\n';
  assert.deepEqual(parseWithPositions(nested(LIMITS.nestingDepth), 'f').errors, []);
  const over = parseWithPositions(nested(LIMITS.nestingDepth + 1), 'f').errors;
  assert.equal(over[0]?.code, 'limit-depth');
  assert.equal(over[0]?.pos?.line, 1);
  // a node shared through aliases many times is not deep
  assert.equal(tooDeepPath({ a: Array(1000).fill({ b: { c: 1 } }) }), undefined);
  let deep: unknown = 1;
  for (let i = 0; i < 200; i++) deep = [deep];
  assert.equal(tooDeepPath(deep)?.length, LIMITS.nestingDepth);
});

test('aliases: a few are fine, an alias bomb is refused at its first alias', () => {
  assert.deepEqual(parseWithPositions('a: &a {k: v}\nb: *a\nc: *a\n', 'f').errors, []);
  const bomb = parseWithPositions('a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n', 'f');
  assert.equal(bomb.errors[0]?.code, 'limit-aliases');
  assert.equal(bomb.errors[0]?.pos?.line, 2);
});

function plan(key: string, children: string[]): Plan {
  return { planVersion: 3, document: { file: 'd.yaml', title: '', arazzo: '1.0.1' }, workflowId: key, steps: children.map((c, i) => ({ kind: 'workflow', stepId: `s${i}`, workflow: { key: c, workflowId: c, inputs: {} } })), outputs: {}, sources: {} } as unknown as Plan;
}

test('sub-workflow depth: a chain at the limit passes, one longer is refused; recursion is left to the run', () => {
  const chain = (n: number): Plan => {
    const workflows: Record<string, Plan> = {};
    for (let i = 0; i < n; i++) workflows[`c${i}`] = plan(`c${i}`, i + 1 < n ? [`c${i + 1}`] : []);
    return { ...plan('top', ['c0']), workflows };
  };
  assert.deepEqual(checkPlanLimits(chain(LIMITS.subworkflowDepth)), []);
  const over = checkPlanLimits(chain(LIMITS.subworkflowDepth + 1));
  assert.equal(over[0]?.code, 'limit-depth');
  assert.equal(over[0]?.stepId, 's0');
  const recursive = { ...plan('top', ['r']), workflows: { r: plan('r', ['r', 'q']), q: plan('q', ['r']) } };
  assert.deepEqual(checkPlanLimits(recursive), []);
});

test('inputs: size and depth', () => {
  const p = plan('w', []);
  assert.deepEqual(checkInputLimits(p, { a: 'x'.repeat(1000) }), []);
  assert.equal(checkInputLimits(p, { a: 'x'.repeat(LIMITS.inputBytes) })[0]?.code, 'limit-size');
  assert.equal(checkInputLimits(p, { a: 'é'.repeat(LIMITS.inputBytes / 2) })[0]?.code, 'limit-size', 'counted in bytes, not characters');
  let deep: unknown = 1;
  for (let i = 0; i < 200; i++) deep = { a: deep };
  assert.equal(checkInputLimits(p, { deep } as Record<string, unknown>)[0]?.code, 'limit-depth');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(checkInputLimits(p, cyclic)[0]?.code, 'bad-input', 'a value that is not JSON is refused, not thrown');
});
