// responseFacts: the brief of a response body that a stopped run or a null output quotes, whatever the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFacts, evaluateStep, responseFacts } from '../../src/core/evaluate-step';

test('responseFacts keeps the members that hold a value, cuts long ones, and ignores bodies that are not objects', () => {
  const body = { id: 'j1', status: 'completed', output_file_id: null, error_file_id: 'file-e', request_counts: { total: 2, failed: 2 }, errors: {}, data: [], note: '' };
  assert.deepEqual(responseFacts(body), { id: '"j1"', status: '"completed"', error_file_id: '"file-e"', request_counts: '{"total":2,"failed":2}' });
  assert.equal(describeFacts(responseFacts(body)!), 'id "j1", status "completed", error_file_id "file-e", request_counts {"total":2,"failed":2}');
  const long = responseFacts({ errors: { data: Array.from({ length: 50 }, (_, i) => ({ code: 'bad', line: i })) } })!;
  assert.equal(long.errors.length, 401);
  assert.ok(long.errors.endsWith('…'));
  const many = responseFacts(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(100)])))!;
  assert.ok(Object.keys(many).length < 40 && Object.values(many).join('').length <= 1600, 'at most 1,600 characters in all');
  for (const other of ['text', 42, null, [1, 2], {}]) assert.equal(responseFacts(other), null);
});

test('evaluateStep reports null outputs and the facts only when no action matched or an output is null', () => {
  const step = {
    successCriteria: [{ condition: '$statusCode == 200' }],
    onSuccess: [],
    onFailure: [],
    outputs: { file: '$response.body#/output_file_id', status: '$response.body#/status' },
  };
  const ctx = (body: unknown) => ({ inputs: {}, steps: {}, statusCode: 200, response: { header: {}, body } });
  const nulls = evaluateStep(step, ctx({ status: 'completed', output_file_id: null, error_file_id: 'file-e' }));
  assert.deepEqual(nulls.nullOutputs, ['file']);
  assert.deepEqual(nulls.facts, { status: '"completed"', error_file_id: '"file-e"' });
  const guarded = { ...step, onSuccess: [{ name: 'done', type: 'end' as const, criteria: [{ condition: '$statusCode == 200' }] }] };
  const fine = evaluateStep(guarded, ctx({ status: 'completed', output_file_id: 'file-o' }));
  assert.equal(fine.action?.name, 'done');
  assert.equal(fine.nullOutputs, undefined);
  assert.equal(fine.facts, undefined);
});
