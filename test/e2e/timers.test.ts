// A loop across steps waits on durable timers that back off from 1 s to 60 s — checked in the history
// of a run on the time-skipping test server (real HTTP activities, virtual time for the timers).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import * as activities from '../../src/activities';
import { ArazzoClient } from '../../src/client';
import { PROJECT_ROOT, findTestServer } from '../../src/temporal/dev-server';
import { workflowBundle } from '../../src/worker';

let env: TestWorkflowEnvironment;
let api: Server;
let apiUrl = '';
let count = 0;

before(async () => {
  // the test API listens on loopback, which the outbound policy refuses unless allowed
  process.env.ARAZZO_ALLOW_HOSTS ||= '127.0.0.1';
  api = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/tick') count++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ n: count }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
  const path = findTestServer();
  assert.ok(path, 'the time-skipping test server is installed (npm install puts it in .tools/bin)');
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
});
after(async () => {
  await env?.teardown();
  api?.close();
});

test('a loop back to an earlier step waits 1 s, 2 s, 4 s … up to 60 s on durable timers', async () => {
  const taskQueue = 'timers-test';
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  const client = ArazzoClient.fromClient(env.client, { taskQueue });
  const result = await worker.runUntil(async () => {
    const started = await client.start({
      document: join(PROJECT_ROOT, 'test', 'fixtures', 'timers', 'two-step-loop.arazzo.yaml'),
      inputs: { target: 9 },
      servers: { counter: apiUrl },
    });
    const out = await started.handle.result();
    const history = await started.handle.fetchHistory();
    const timers = (history.events ?? [])
      .map((e) => e.timerStartedEventAttributes?.startToFireTimeout)
      .filter((t): t is NonNullable<typeof t> => !!t)
      .map((t) => Number(t.seconds ?? 0) + (t.nanos ?? 0) / 1e9);
    return { out, timers };
  });
  assert.equal(result.out.outputs.n, 9);
  assert.deepEqual(result.timers, [1, 2, 4, 8, 16, 32, 60, 60]);
});
