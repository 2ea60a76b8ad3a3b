// Split deployment: one worker process runs the interpreter workflows, another the HTTP activities on
// their own task queue (`worker --role workflows|activities --activity-task-queue`). A run completes and
// every step activity was scheduled on the activity queue.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ArazzoClient } from '../../src/client';
import { simulatorServers } from '../../src/dev/seeds';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { OPENAI_KEY, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
const children: ChildProcess[] = [];

function worker(...args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js'), 'worker', '--address', stack.server.address, ...args], {
    env: { ...process.env, OPENAI_API_KEY: OPENAI_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('worker running')) resolve(child);
    });
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${out}`)));
  });
}

before(async () => {
  stack = await startStack({ inProcessWorker: false });
});
after(async () => {
  for (const c of children) c.kill('SIGTERM');
  await stack?.stop();
});

test('workflows on one worker, HTTP activities on another queue and process', async () => {
  await Promise.all([
    worker('--role', 'workflows', '--task-queue', 'split-wf', '--activity-task-queue', 'split-http'),
    worker('--role', 'activities', '--task-queue', 'split-wf', '--activity-task-queue', 'split-http'),
  ]);
  const client = await ArazzoClient.connect({ address: stack.server.address, taskQueue: 'split-wf', activityTaskQueue: 'split-http' });
  try {
    const started = await client.start({
      document: join(PROJECT_ROOT, 'arazzo', 'openai-batch-job.arazzo.yaml'),
      inputs: { apiKey: { $secret: 'OPENAI_API_KEY' }, endpoint: '/v1/chat/completions', batchInputFile: '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[]}}\n' },
      servers: { openaiApi: simulatorServers(stack.simulator.url).openaiApi },
      poll: stack.poll,
    });
    const result = await started.handle.result();
    assert.match(String(result.outputs.outputFileId), /^file-/);
    const history = await started.handle.fetchHistory();
    const queues = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.taskQueue?.name] : []));
    assert.equal(queues.length, 4);
    assert.deepEqual([...new Set(queues)], ['split-http']);
  } finally {
    await client.close();
  }
});
