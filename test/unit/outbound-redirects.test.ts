// Redirects through the real step activity (in a mock activity environment), on loopback only: GET follows and
// re-checks each target; other methods follow none, so a 302 to a POST reaches the step's criteria unsent onward.
// Every target here is a loopback server of this test: nothing can leave the machine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { runStep } from '../../src/activities/run-step';
import { configureOutbound } from '../../src/activities/outbound-policy';
import { DEFAULT_POLL } from '../../src/core/poll-policy';
import type { OperationStep } from '../../src/core/plan';
import type { RunStepInput, StepOutcome } from '../../src/activities/types';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server';

let origin: ScriptedServer;
let target: ScriptedServer;
before(async () => {
  origin = await startScriptedServer();
  target = await startScriptedServer();
});
after(async () => {
  await origin?.close();
  await target?.close();
});

function input(method: string, to: string): RunStepInput {
  const step: OperationStep = {
    kind: 'operation',
    stepId: 'follow',
    operation: { source: 'api', method, path: '/redirect', serverUrl: origin.url },
    parameters: [{ name: 'to', in: 'query', value: to }],
    successCriteria: [{ condition: '$statusCode == 200' }],
    onSuccess: [],
    onFailure: [],
    outputs: { calls: '$response.body#/calls' },
    responseHeaders: [],
    poll: DEFAULT_POLL,
  };
  return { step, context: { inputs: {}, steps: {} }, idempotencyKey: 'k', exhaustedRetries: [], pollInActivity: false };
}

test('GET follows a redirect to an allowed target', async () => {
  configureOutbound(['127.0.0.1']);
  const outcome = (await new MockActivityEnvironment().run(runStep, input('GET', `${target.url}/calls/get-1`))) as StepOutcome;
  assert.equal(outcome.statusCode, 200);
  assert.equal(target.hits('get-1').length, 1);
});

test('POST follows no redirect: the 302 goes to the criteria and the target sees nothing', async () => {
  configureOutbound(['127.0.0.1']);
  const outcome = (await new MockActivityEnvironment().run(runStep, input('POST', `${target.url}/calls/post-1`))) as StepOutcome;
  assert.equal(outcome.statusCode, 302);
  assert.equal(outcome.success, false);
  assert.equal(origin.hits('/redirect').length, 2, 'the POST reached the redirecting server');
  assert.equal(target.hits('post-1').length, 0);
});

test('GET to a target host that is not a server of the plan is refused at the redirect, non-retryably', async () => {
  configureOutbound(['127.0.0.1']);
  // the same loopback target, named by a host the plan does not list
  const port = new URL(target.url).port;
  const err = await new MockActivityEnvironment().run(runStep, input('GET', `http://localhost:${port}/calls/get-2`)).then(
    () => assert.fail('the redirect was followed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure);
  assert.equal(err.type, 'ArazzoOutboundRefused');
  assert.equal(err.nonRetryable, true);
  assert.match(err.message, /redirect to http:\/\/localhost:\d+\/calls\/get-2: host localhost is not one of the servers/);
  assert.equal(target.hits('get-2').length, 0);
});

test('without an entry for loopback, the plan\'s own loopback server is refused before anything is sent', async () => {
  const saved = process.env.ARAZZO_ALLOW_HOSTS;
  delete process.env.ARAZZO_ALLOW_HOSTS;
  try {
    configureOutbound([]);
    const before = origin.hits('/redirect').length;
    const err = await new MockActivityEnvironment().run(runStep, input('GET', `${target.url}/calls/x`)).then(
      () => assert.fail('sent'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure && err.type === 'ArazzoOutboundRefused', String(err));
    assert.match(err.message, /127\.0\.0\.1, a loopback address, is refused \(allow it with --allow-host 127\.0\.0\.1/);
    assert.equal(origin.hits('/redirect').length, before, 'nothing reached the server');
  } finally {
    if (saved !== undefined) process.env.ARAZZO_ALLOW_HOSTS = saved;
    configureOutbound(['127.0.0.1']);
  }
});
