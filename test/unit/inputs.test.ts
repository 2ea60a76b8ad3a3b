import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateInputs } from '../../src/load/inputs';
import type { Plan } from '../../src/core/types';

const plan = (inputsSchema: Record<string, unknown>): Plan =>
  ({ planVersion: 3, document: { file: 'doc.yaml', title: 't', arazzo: '1.0.1' }, workflowId: 'wf', inputsSchema, steps: [], outputs: {}, sources: {} }) as Plan;

test('a secret reference satisfies content keywords of a string input, but not a non-string type', () => {
  const schema = { type: 'object', required: ['apiKey'], properties: { apiKey: { type: 'string', pattern: '^sk-', minLength: 20 }, n: { type: 'integer' } } };
  assert.deepEqual(validateInputs(plan(schema), { apiKey: { $secret: 'OPENAI_API_KEY' } }), []);
  const literal = validateInputs(plan(schema), { apiKey: 'nope' });
  assert.ok(literal.some((d) => /pattern/.test(d.message)), JSON.stringify(literal));
  const wrongType = validateInputs(plan(schema), { apiKey: { $secret: 'K' }, n: { $secret: 'N' } });
  assert.equal(wrongType.length, 1);
  assert.match(wrongType[0].message, /input n must be integer/);
});
