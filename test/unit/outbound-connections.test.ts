// Connections of the step activity (in a mock activity environment), on loopback only: requests that may be sent
// again (GET and the like) reuse a kept-alive connection, so a poll pays no new TCP or TLS handshake; a POST gets a
// connection of its own, because a reset on a connection the server closed meanwhile would leave a create's outcome
// unknown. The server counts the connections it accepts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { runStep } from '../../src/activities/run-step';
import { configureOutbound } from '../../src/activities/outbound-policy';
import { DEFAULT_POLL } from '../../src/core/poll-policy';
import type { OperationStep } from '../../src/core/plan';
import type { RunStepInput, StepOutcome } from '../../src/activities/types';

let server: http.Server;
let url: string;
const connections: string[] = [];
before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true })));
  });
  server.on('connection', (socket) => connections.push(`${socket.remotePort}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function input(method: string): RunStepInput {
  const step: OperationStep = {
    kind: 'operation',
    stepId: `call-${method}`,
    operation: { source: 'api', method, path: '/thing', serverUrl: url, ...(method === 'POST' && { idempotent: true }) },
    parameters: [],
    successCriteria: [{ condition: '$statusCode == 200' }],
    onSuccess: [],
    onFailure: [],
    outputs: {},
    responseHeaders: [],
    poll: DEFAULT_POLL,
  };
  return { step, context: { inputs: {}, steps: {} }, idempotencyKey: 'k', exhaustedRetries: [], pollInActivity: false };
}

const run = async (method: string) => ((await new MockActivityEnvironment().run(runStep, input(method))) as StepOutcome).statusCode;

test('GETs reuse one kept-alive connection', async () => {
  configureOutbound(['127.0.0.1']);
  connections.length = 0;
  for (let i = 0; i < 3; i++) assert.equal(await run('GET'), 200);
  assert.equal(connections.length, 1, `3 GETs, ${connections.length} connections`);
});

test('each POST gets a connection of its own, even one marked idempotent', async () => {
  configureOutbound(['127.0.0.1']);
  connections.length = 0;
  for (let i = 0; i < 2; i++) assert.equal(await run('POST'), 200);
  assert.equal(connections.length, 2, `2 POSTs, ${connections.length} connections`);
});
