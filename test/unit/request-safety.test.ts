// Which requests may be sent again, and the pure parts of reconcile: the marker in the body, the match in a list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { earlierAttemptMayHaveSent, failureSaysNotSent, isIdempotent } from '../../src/activities/request-safety';
import { compileReconcile, findReconciled, withMarker } from '../../src/core/reconcile';

const op = (method: string, idempotent?: boolean) => ({ operation: { source: 's', method, path: '/x', serverUrl: 'http://h', ...(idempotent && { idempotent }) } });

test('POST and PATCH are not idempotent unless the operation says x-idempotent', () => {
  assert.equal(isIdempotent(op('POST')), false);
  assert.equal(isIdempotent(op('PATCH')), false);
  assert.equal(isIdempotent(op('POST', true)), true);
  for (const m of ['GET', 'HEAD', 'PUT', 'DELETE']) assert.equal(isIdempotent(op(m)), true, m);
});

test('only a refused connection, a DNS failure, 429 and 529 prove a request was not processed', () => {
  const http = (status: number) => ApplicationFailure.create({ message: 'x', type: `ArazzoHttp${status}` });
  const transport = (code: string) => ApplicationFailure.create({ message: 'x', type: 'ArazzoTransportError', details: [{ code }] });
  assert.equal(failureSaysNotSent(http(429)), true);
  assert.equal(failureSaysNotSent(http(529)), true);
  for (const s of [408, 409, 500, 502, 503, 504]) assert.equal(failureSaysNotSent(http(s)), false, String(s));
  assert.equal(failureSaysNotSent(transport('ECONNREFUSED')), true);
  assert.equal(failureSaysNotSent(transport('ENOTFOUND')), true);
  for (const c of ['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE']) assert.equal(failureSaysNotSent(transport(c)), false, c);
  assert.equal(failureSaysNotSent(new Error('x')), false);
});

test('an earlier attempt may have sent the request unless it recorded, as the previous attempt, that it did not', () => {
  assert.equal(earlierAttemptMayHaveSent(1, undefined), false);
  assert.equal(earlierAttemptMayHaveSent(2, undefined), true, 'an attempt that died recorded nothing');
  assert.equal(earlierAttemptMayHaveSent(2, { transientFailures: 1 }), true);
  assert.equal(earlierAttemptMayHaveSent(2, { requestSafety: { attempt: 1, sent: false } }), false);
  assert.equal(earlierAttemptMayHaveSent(3, { requestSafety: { attempt: 1, sent: false } }), true, 'attempt 2 left no record: it may have sent');
});

test('the marker is written into the body, creating objects on the way; the candidate carrying it is found', () => {
  assert.deepEqual(withMarker({ input_file_id: 'f' }, '/metadata/arazzo_request', 'wf/s/1'), { input_file_id: 'f', metadata: { arazzo_request: 'wf/s/1' } });
  assert.deepEqual(withMarker({ metadata: { team: 'a' } }, '/metadata/arazzo_request', 'k'), { metadata: { team: 'a', arazzo_request: 'k' } });
  const list = { data: [{ id: 'b1', metadata: null }, { id: 'b2', metadata: { arazzo_request: 'other' } }, { id: 'b3', metadata: { arazzo_request: 'k' } }] };
  const spec = { items: '$.data[*]', match: '/metadata/arazzo_request' };
  assert.deepEqual(findReconciled(list, spec, 'k'), { id: 'b3', metadata: { arazzo_request: 'k' } });
  assert.equal(findReconciled(list, spec, 'none'), undefined);
  assert.equal(findReconciled('not json', spec, 'k'), undefined);
});

test('a malformed x-temporal-reconcile is reported at its fields', () => {
  const reports: [string, string][] = [];
  const hooks = { report: (_c: string, m: string, p: (string | number)[]) => void reports.push([p.join('.'), m]), operationStep: () => undefined };
  compileReconcile({ stepId: 's', 'x-temporal-reconcile': { marker: 'metadata', items: 'data', settle: 'soon', lookup: { operationId: 'l' } } } as never, ['workflows', 0, 'steps', 1], hooks);
  assert.deepEqual(reports.map((r) => r[0]), ['workflows.0.steps.1.x-temporal-reconcile.marker', 'workflows.0.steps.1.x-temporal-reconcile.items', 'workflows.0.steps.1.x-temporal-reconcile.settle']);
});
