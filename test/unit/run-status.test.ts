// The live status record: a pending poll's heartbeat makes the workflow's record live, stale details of another
// step are ignored, errors are masked; the lines and the bar read it; the list query of the search attributes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barOf } from '../../src/cli/progress';
import { maskSecrets } from '../../src/core/mask';
import {
  combineStatus,
  countsProgress,
  currentDetails,
  formatStatus,
  statusLine,
  timeUntil,
  type RunStatusRecord,
} from '../../src/core/run-status';
import { documentName, listQuery, unsetRunMatches } from '../../src/core/search-attributes';

const record: RunStatusRecord = {
  workflow: 'batch-job',
  document: 'openai-batch-job.arazzo.yaml',
  step: 'pollBatch',
  stepIndex: 2,
  steps: 4,
  stepRuns: 2,
  polls: 0,
  batchStatus: 'validating',
  providerStatus: 'validating',
  requestCounts: { total: 0, completed: 0, failed: 0 },
  statusStep: 'createBatch',
};
const now = Date.parse('2026-12-02T12:00:00Z');

test('a pending poll of the current step makes the record live: provider status, counts, polls, next poll', () => {
  const s = combineStatus('run-1', 'RUNNING', record, {
    attempt: 4,
    lastFailure: 'pollBatch: poll — polling again in 2000 ms (poll 4)',
    lastFailureType: 'ArazzoPollPending',
    heartbeat: {
      transientFailures: 0,
      poll: {
        stepId: 'pollBatch',
        polls: 4,
        providerStatus: 'in_progress',
        batchStatus: 'in_progress',
        requestCounts: { total: 3, completed: 1, failed: 1 },
        nextPollAt: '2026-12-02T12:00:02Z',
        at: '2026-12-02T12:00:00Z',
      },
    },
  });
  assert.equal(s.batchStatus, 'in_progress');
  assert.equal(s.providerStatus, 'in_progress');
  assert.deepEqual(s.requestCounts, { total: 3, completed: 1, failed: 1 });
  assert.equal(s.statusStep, 'pollBatch');
  assert.equal(s.polls, 4);
  assert.equal(s.attempt, 4);
  assert.equal(s.lastError, undefined, 'a poll that goes on is not an error');
  assert.equal(timeUntil(s.nextPollAt, now), 'in 2s');
  assert.deepEqual(countsProgress(s.requestCounts), { done: 2, total: 3 });
  assert.deepEqual(barOf(s), { value: 2, total: 3, unit: 'requests' });
  assert.match(
    statusLine(s, now),
    /^step pollBatch \(3\/4\) · batch in_progress, 2\/3 requests done, 1 failed · 4 polls · next poll in 2s$/,
  );
  assert.match(formatStatus(s, now), /provider status +in_progress\n/);
});

test("details of another step's activity are not current; a closed run keeps its record", () => {
  const stale = combineStatus('run-1', 'RUNNING', record, {
    attempt: 2,
    heartbeat: { poll: { stepId: 'createBatch', polls: 9, providerStatus: 'x', at: '' } },
  });
  assert.equal(stale.providerStatus, 'validating');
  assert.equal(stale.polls, 0);
  const closed = combineStatus('run-1', 'COMPLETED', record, { attempt: 3, heartbeat: { lastError: 'boom' } });
  assert.equal(closed.lastError, undefined);
  assert.equal(closed.attempt, undefined);
});

test('a transient failure is the last error, masked', () => {
  const s = combineStatus(
    'run-1',
    'RUNNING',
    record,
    { attempt: 2, lastFailure: 'pollBatch: HTTP 503 — Authorization: Bearer abcdefghijklmnop', lastFailureType: 'ArazzoHttp503' },
    maskSecrets,
  );
  assert.equal(s.lastError, 'pollBatch: HTTP 503 — Authorization: Bearer ***');
  assert.match(statusLine(s, now), /last error: pollBatch: HTTP 503/);
});

test('without counts the bar counts steps; current details name the step, status and counts', () => {
  const plain = { ...record, requestCounts: undefined, batchStatus: undefined, providerStatus: undefined };
  const s = combineStatus('run-1', 'RUNNING', plain, undefined);
  assert.deepEqual(barOf(s), { value: 2, total: 4, unit: 'steps' });
  assert.equal(countsProgress({ total: 0, completed: 0, failed: 0 }), undefined);
  const details = currentDetails({ ...record, requestCounts: { total: 3, completed: 2, failed: 0 } });
  assert.match(details, /\*\*Step pollBatch\*\* \(3 of 4\)/);
  assert.match(details, /batch status: \*\*validating\*\*/);
  assert.match(details, /requests: 2 completed, 0 failed, of 3/);
});

test('list queries: quoted values, the execution status, the document by file name', () => {
  assert.equal(documentName('/x/arazzo/openai-batch-job.arazzo.yaml'), 'openai-batch-job.arazzo.yaml');
  assert.equal(
    listQuery(
      { document: 'arazzo/openai-batch-job.arazzo.yaml', workflow: 'batch-job', status: 'running', batchStatus: 'in_progress' },
      'arazzoWorkflow',
    ),
    'WorkflowType = "arazzoWorkflow" AND ArazzoDocument = "openai-batch-job.arazzo.yaml" AND ArazzoWorkflow = "batch-job" AND BatchStatus = "in_progress" AND ExecutionStatus = "Running"',
  );
  // by document or workflow alone: also the runs no worker has taken yet (no search attributes; matched by memo)
  assert.equal(listQuery({ workflow: 'a"b' }, 't'), 'WorkflowType = "t" AND ((ArazzoWorkflow = "a\\"b") OR ArazzoWorkflow IS NULL)');
  assert.equal(
    listQuery({ document: 'x/d.yaml', workflow: 'w', status: 'running' }, 't'),
    'WorkflowType = "t" AND ((ArazzoDocument = "d.yaml" AND ArazzoWorkflow = "w") OR ArazzoWorkflow IS NULL) AND ExecutionStatus = "Running"',
  );
  assert.equal(listQuery({ workflow: 'w', step: 's' }, 't'), 'WorkflowType = "t" AND ArazzoWorkflow = "w" AND ArazzoStep = "s"');
  const memo = { arazzoDocument: '/docs/arazzo/d.yaml', arazzoWorkflowId: 'w', arazzoRevision: 3 };
  assert.ok(unsetRunMatches({ document: 'd.yaml', workflow: 'w' }, memo));
  assert.ok(unsetRunMatches({ workflow: 'w' }, memo));
  assert.ok(!unsetRunMatches({ workflow: 'other' }, memo));
  assert.ok(!unsetRunMatches({ document: 'e.yaml' }, memo));
  assert.ok(!unsetRunMatches({ workflow: 'w' }, undefined), 'a run without memo (the Temporal CLI) names no workflow');
  assert.throws(() => listQuery({ status: 'sleeping' }, 't'), /unknown status "sleeping"/);
});
