// Workers in their own processes, for tests that kill them with SIGKILL: the same workflows and activities
// as `arazzo-temporal worker`, but from a workflow bundle built once by the parent (bundling takes 5–7 s on
// a 2-core machine), and optionally started ahead of time in standby — loaded, connected, the Worker
// created, not yet polling — so a test can replace a killed worker at once, many times in a row.
//
//   const bundle = await writeWorkflowBundle(dir);
//   const w = await spawnBundledWorker(address, bundle);            // polling
//   const s = await startStandbyWorker(address, bundle);  ...  const w2 = await s.activate();
//   child: node --import tsx test/helpers/worker-process.ts <address> <bundle.js> <options JSON> [--standby]
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duration } from '@temporalio/common';
import { ANTHROPIC_KEY, OPENAI_KEY } from './stack';

export type WorkerProcess = ChildProcess & { output: string[] };

/** Bundle the workflow code once and write it where children can load it. */
export async function writeWorkflowBundle(dir: string): Promise<string> {
  const { workflowBundle } = await import('../../src/worker');
  const bundle = await workflowBundle();
  if (!('code' in bundle)) throw new Error('expected an in-memory workflow bundle');
  const file = join(dir, 'workflow-bundle.js');
  writeFileSync(file, bundle.code);
  return file;
}

export interface BundledWorkerOptions {
  /**
   * How long a workflow task waits on the sticky queue of the worker that cached the run before it goes to
   * the shared queue (SDK default 10 s). A worker killed with SIGKILL never polls its sticky queue again,
   * so each kill stalls the run this long; tests that kill often shorten it.
   */
  stickyQueueScheduleToStartTimeout?: string;
}

export interface StandbyWorker {
  child: WorkerProcess;
  /** start polling; resolves once it does */
  activate(): Promise<WorkerProcess>;
}

function spawnChild(address: string, bundlePath: string, opts: BundledWorkerOptions, standby: boolean): WorkerProcess {
  const args = ['--import', 'tsx', __filename, address, bundlePath, JSON.stringify(opts), ...(standby ? ['--standby'] : [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, OPENAI_API_KEY: OPENAI_KEY, ANTHROPIC_API_KEY: ANTHROPIC_KEY },
    stdio: ['pipe', 'pipe', 'pipe'],
  }) as WorkerProcess;
  child.output = [];
  child.stdout?.on('data', (c: Buffer) => child.output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => child.output.push(c.toString()));
  return child;
}

/** Resolves when the child prints `text`; rejects if it exits first or takes longer than 60 s. */
function printed(child: WorkerProcess, text: string): Promise<WorkerProcess> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (child.output.join('').includes(text)) {
        child.stdout?.off('data', check);
        resolve(child);
      }
    };
    child.stdout?.on('data', check);
    check();
    child.once('exit', (code, signal) => reject(new Error(`worker exited early (${code ?? signal}): ${child.output.join('')}`)));
    setTimeout(() => reject(new Error(`worker did not print "${text}" in 60 s: ${child.output.join('')}`)), 60_000).unref();
  });
}

/** Start a worker process on `address` from a prebuilt bundle; resolves once it polls. */
export function spawnBundledWorker(address: string, bundlePath: string, opts: BundledWorkerOptions = {}): Promise<WorkerProcess> {
  return printed(spawnChild(address, bundlePath, opts, false), 'worker running');
}

/** A worker process that is loaded and connected but polls only once activated. */
export async function startStandbyWorker(address: string, bundlePath: string, opts: BundledWorkerOptions = {}): Promise<StandbyWorker> {
  const child = await printed(spawnChild(address, bundlePath, opts, true), 'worker ready');
  return {
    child,
    activate() {
      child.stdin?.write('run\n');
      return printed(child, 'worker running');
    },
  };
}

/** SIGKILL and wait for the exit. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function main(address: string, bundlePath: string, opts: BundledWorkerOptions, standby: boolean): Promise<void> {
  const { NativeConnection, Worker } = await import('@temporalio/worker');
  const activities = await import('../../src/activities');
  const { installRuntime } = await import('../../src/worker');
  const { temporalSettings } = await import('../../src/config');
  installRuntime('WARN');
  const settings = temporalSettings({ address });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    workflowBundle: { codePath: bundlePath },
    activities,
    ...(opts.stickyQueueScheduleToStartTimeout ? { stickyQueueScheduleToStartTimeout: opts.stickyQueueScheduleToStartTimeout as Duration } : {}),
  });
  if (standby) {
    process.stdout.write('worker ready\n');
    await new Promise<void>((resolve) => process.stdin.on('data', (d) => d.toString().includes('run') && resolve()));
  }
  const done = worker.run();
  process.stdout.write(`worker running (task queue ${settings.taskQueue})\n`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => worker.shutdown());
  await done;
  await connection.close();
}

if (require.main === module) {
  const [address, bundlePath, opts] = process.argv.slice(2);
  main(address, bundlePath, JSON.parse(opts ?? '{}'), process.argv.includes('--standby')).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
