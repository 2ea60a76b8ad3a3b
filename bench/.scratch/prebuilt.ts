// idle RSS of a worker that loads a prebuilt bundle vs one that bundles at start
import { writeFileSync, readFileSync } from 'node:fs';
import { bundleWorkflowCode, NativeConnection, Worker, Runtime, DefaultLogger } from '@temporalio/worker';
import * as activities from '../../src/activities';
import { WORKFLOWS_PATH, WORKFLOW_BUNDLE_IGNORED } from '../../src/worker';
const rss = () => { const t = readFileSync('/proc/self/status', 'utf8'); return ['VmRSS', 'VmHWM'].map((k) => `${k} ${Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(t)![1]) / 1024)} MiB`).join(', '); };
(async () => {
  const mode = process.argv[2];
  if (mode === 'build') {
    const b = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ignoreModules: WORKFLOW_BUNDLE_IGNORED, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
    writeFileSync('/tmp/arazzo-bundle.js', b.code);
    console.log('bundle', b.code.length, 'bytes;', rss());
    return;
  }
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  console.log('loaded modules;', rss());
  const connection = await NativeConnection.connect({ address: process.argv[3] });
  const worker = await Worker.create({ connection, taskQueue: 'x', workflowBundle: { codePath: '/tmp/arazzo-bundle.js' }, activities });
  const done = worker.run();
  await new Promise((r) => setTimeout(r, 2000));
  console.log('worker running with prebuilt bundle;', rss());
  worker.shutdown(); await done; await connection.close();
})();
