// A poll that goes on, through the real step activity (in a mock activity environment, on loopback): its report
// (status, polls, next poll) rides on the attempt's ArazzoPollPending failure and is not heartbeated — a heartbeat is
// a write on the Temporal server, once per poll for hours; the only heartbeat resets a count of transient failures
// the previous attempts left. A client takes the newest report of failure and heartbeat (withPollReport).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { runStep } from '../../src/activities/run-step';
import { configureOutbound } from '../../src/activities/outbound-policy';
import { POLL_PENDING } from '../../src/core/contract';
import { withPollReport, type PollHeartbeat } from '../../src/core/run-status';
import type { OperationStep } from '../../src/core/plan';
import type { RunStepInput } from '../../src/activities/types';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server';

let api: ScriptedServer;
before(async () => {
  api = await startScriptedServer();
});
after(() => api?.close());

function pollInput(key: string): RunStepInput {
  const step: OperationStep = {
    kind: 'operation',
    stepId: 'waitJob',
    operation: { source: 'api', method: 'GET', path: `/jobs/${key}`, serverUrl: api.url },
    parameters: [],
    successCriteria: [{ condition: '$statusCode == 200' }],
    onSuccess: [{ type: 'goto', name: 'again', stepId: 'waitJob', criteria: [{ condition: "$response.body#/status == 'pending'" }] }],
    onFailure: [],
    outputs: { status: '$response.body#/status' },
    responseHeaders: [],
    poll: { initialIntervalMs: 250, maxIntervalMs: 250, backoff: 1, timeoutMs: 0 },
  } as OperationStep;
  return { step, context: { inputs: {}, steps: {} }, idempotencyKey: 'k', exhaustedRetries: [], pollInActivity: true };
}

async function pollOnce(env: MockActivityEnvironment, key: string): Promise<{ failure: ApplicationFailure; beats: unknown[] }> {
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  configureOutbound(['127.0.0.1']);
  const failure = await env.run(runStep, pollInput(key)).then(
    () => assert.fail('the poll should go on'),
    (err: unknown) => err as ApplicationFailure,
  );
  return { failure, beats };
}

test('a poll that goes on reports on its failure, with no heartbeat', async () => {
  api.doneAfter('a', 10);
  const { failure, beats } = await pollOnce(new MockActivityEnvironment({ attempt: 4 }), 'a');
  assert.ok(failure instanceof ApplicationFailure);
  assert.equal(failure.type, POLL_PENDING);
  const report = failure.details?.[0] as PollHeartbeat;
  assert.equal(report.poll?.stepId, 'waitJob');
  assert.equal(report.poll?.polls, 4);
  assert.equal(report.poll?.providerStatus, 'pending');
  assert.ok(Date.parse(report.poll?.nextPollAt ?? '') > Date.parse(report.poll?.at ?? ''), 'the next poll is after this one');
  assert.deepEqual(beats, [], 'no heartbeat for a poll');
  assert.equal(failure.stack, `ApplicationFailure: ${failure.message}`, 'a poll going on carries no stack trace');
});

test('a poll after transient failures heartbeats once, to reset their count; the report is still on the failure', async () => {
  api.doneAfter('b', 10);
  const env = new MockActivityEnvironment({ attempt: 3, heartbeatDetails: { transientFailures: 2, lastError: 'HTTP 503' } });
  const { failure, beats } = await pollOnce(env, 'b');
  assert.equal(failure.type, POLL_PENDING);
  assert.equal(beats.length, 1, 'one heartbeat: the reset');
  assert.equal((beats[0] as PollHeartbeat).transientFailures, 0);
  assert.equal((failure.details?.[0] as PollHeartbeat).poll?.providerStatus, 'pending', 'the report is on the failure');
});

test("the newest poll report wins: the failure's, or a newer heartbeat's (an older worker)", () => {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 12, 0, s)).toISOString();
  const beat: PollHeartbeat = { transientFailures: 0, lastError: 'x', poll: { stepId: 's', polls: 2, at: at(1) } };
  const failure: PollHeartbeat = { transientFailures: 0, poll: { stepId: 's', polls: 3, providerStatus: 'in_progress', at: at(2) } };
  assert.deepEqual(withPollReport(beat, failure), { ...beat, poll: failure.poll });
  assert.deepEqual(withPollReport({ ...beat, poll: { ...beat.poll!, at: at(3) } }, failure)?.poll?.polls, 2);
  assert.deepEqual(withPollReport(undefined, failure), { poll: failure.poll });
  assert.equal(withPollReport(beat, undefined), beat);
  assert.equal(withPollReport(beat, { poll: 'garbage' } as unknown as PollHeartbeat), beat, 'a malformed report is ignored');
});
