// A worker in production is no black box: `worker --metrics-port` serves the SDK's Prometheus metrics, and
// `--log-format json` writes one JSON object a line with the workflow id, the step and the attempt, masked of
// secrets. The real CLI worker in a child process, a seed run through it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { seedRun } from '../helpers/runs';
import { OPENAI_KEY, startStack, waitFor, type Stack } from '../helpers/stack';

let stack: Stack;
let worker: ChildProcess;
let metricsPort: number;
const output: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  stack = await startStack({ inProcessWorker: false });
  metricsPort = await freePort();
  worker = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js'),
      'worker',
      '--address',
      stack.server.address,
      '--metrics-port',
      String(metricsPort),
      '--log-format',
      'json',
    ],
    {
      env: { ...process.env, OPENAI_API_KEY: OPENAI_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  worker.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  worker.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  await waitFor('the worker to start', () => output.join('').includes('worker running'), 60_000);
});
after(async () => {
  worker?.kill('SIGTERM');
  await new Promise((r) => (worker?.exitCode !== null ? r(undefined) : worker.once('exit', r)));
  await stack?.stop();
});

test('after a run, the metrics endpoint answers with temporal_ metrics; JSON log lines carry workflowId, step, attempt; no secret', async () => {
  const { handle, workflowId } = await stack.client.start({ ...seedRun('openai-batch-job', stack.simulator.url), poll: stack.poll });
  await handle.result();
  const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.equal(scrape.status, 200);
  const metrics = await scrape.text();
  assert.match(metrics, /^temporal_\w+/m);
  assert.match(metrics, /temporal_activity_execution_latency\w*\{[^}]*activity_type="runStep"/);
  assert.match(metrics, /temporal_workflow_completed\w*\{[^}]*workflow_type="arazzoWorkflow"/);

  const lines = output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'));
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const ofRun = entries.filter((e) => e.workflowId === workflowId);
  assert.ok(ofRun.length > 0, `log lines of ${workflowId}: ${lines.slice(0, 5).join('\n')}`);
  const stepLines = ofRun.filter((e) => typeof e.step === 'string' && typeof e.attempt === 'number');
  assert.ok(
    stepLines.some((e) => e.step === 'createBatch'),
    JSON.stringify(ofRun.slice(0, 5)),
  );
  for (const e of entries) assert.equal(typeof e.time, 'string');
  assert.doesNotMatch(output.join(''), new RegExp(OPENAI_KEY));
});
