import { withSchemaDefaults } from '../../src/core/input-defaults';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyInputDefaults, validateInputs } from '../../src/load/inputs';
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

test("withSchemaDefaults (the workflow's, for child runs) fills what Ajv's useDefaults fills for the root", () => {
  const schema = {
    type: 'object',
    properties: {
      version: { type: 'string', default: '2023-06-01' },
      given: { type: 'string', default: 'unused' },
      nested: { type: 'object', properties: { depth: { type: 'integer', default: 2 } } },
      absent: { type: 'object', properties: { x: { default: 1 } } },
      list: { type: 'array', items: { type: 'object', properties: { n: { default: 0 } } } },
    },
    allOf: [{ properties: { extra: { default: true } } }],
  };
  const inputs = { given: 'mine', nested: {}, list: [{}, { n: 5 }] };
  const filled = withSchemaDefaults(schema, inputs);
  assert.deepEqual(filled, { version: '2023-06-01', given: 'mine', nested: { depth: 2 }, list: [{ n: 0 }, { n: 5 }], extra: true });
  assert.deepEqual(inputs, { given: 'mine', nested: {}, list: [{}, { n: 5 }] }, 'the inputs given are not changed');
  const plan = { inputsSchema: schema } as unknown as Parameters<typeof applyInputDefaults>[0];
  assert.deepEqual(filled, applyInputDefaults(plan, inputs));
});
