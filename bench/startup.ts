// Bench part "startup": the all-in-one worker (`arazzo-temporal worker`, workflows and HTTP activities) as its own
// process, started from the built package (dist/, the prebuilt workflow bundle) and, for comparison, from the
// TypeScript sources (tsx, the workflow code bundled with webpack at start), next to the hand-written reference
// worker (which bundles its workflow at start). Ready time: spawn until the worker prints that it runs (its workers
// are created, so polling starts). Idle RSS: VmRSS 5 s later, with no work. Targets (issue 14): ≤ 220 MiB, ≤ 2 s.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './child-cost';
import type { PartApi } from './validate';

const IDLE_MS = 5_000;
const RUNS = 3;

/** dist/ as `npm run build` leaves it, built now when it is missing or older than src/ (the bin's own rule). */
export function ensureBuilt(root: string, log: (line: string) => void): void {
  const built = join(root, 'dist', 'cli.js');
  const bundle = join(root, 'dist', 'workflow-bundle.js');
  const stale =
    !existsSync(built) || !existsSync(bundle) || newestTs(join(root, 'src')) > Math.min(statSync(built).mtimeMs, statSync(bundle).mtimeMs);
  if (!stale) return;
  log('dist/ is missing or older than src/: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

function newestTs(dir: string): number {
  let latest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newestTs(path) : e.name.endsWith('.ts') ? statSync(path).mtimeMs : 0);
  }
  return latest;
}

interface Started {
  readyMs: number;
  idleRssMiB: number;
  output: string;
}

/** Spawn the worker, time it to "worker running", read its RSS after IDLE_MS, stop it (SIGTERM, then SIGKILL). */
async function startOnce(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const began = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ARAZZO_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not running after 120 s: ${output.slice(-1000)}`)), 120_000);
      child.stdout.on('data', (c: Buffer) => {
        output += c.toString();
        if (output.includes('worker running')) {
          clearTimeout(timer);
          resolve(Number(process.hrtime.bigint() - began) / 1e6);
        }
      });
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code}): ${output.slice(-1000)}`));
      });
    });
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
    return { readyMs, idleRssMiB: Math.round((kb / 1024) * 10) / 10, output };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

export async function measureStartup(root: string, address: string, api: PartApi): Promise<string[]> {
  ensureBuilt(root, api.log);
  const rss = api.figure('workerIdleRss', 'all-in-one worker: idle RSS (built package)', 'MiB', {
    text: '≤ 220 MiB',
    max: 220,
    inclusive: true,
  });
  const ready = api.figure('workerReady', 'all-in-one worker: ready time (built package)', 's', { text: '≤ 2 s', max: 2, inclusive: true });
  const rssSrc = api.figure('workerIdleRss@source', 'all-in-one worker: idle RSS (from source, bundled at start)', 'MiB');
  const readySrc = api.figure('workerReady@source', 'all-in-one worker: ready time (from source, bundled at start)', 's');
  const worker = (queue: string) => [join(root, 'bin', 'arazzo-temporal.js'), 'worker', '--address', address, '--task-queue', queue];
  const reference = (queue: string) => [
    '--require',
    'tsx/cjs',
    join(root, 'bench', 'reference', 'worker.ts'),
    '--address',
    address,
    '--task-queue',
    queue,
  ];
  const variants = [
    { label: 'built package', args: worker, env: { ARAZZO_FROM_SOURCE: '0' }, rss, ready, impl: 'arazzo' as const },
    { label: 'from source', args: worker, env: { ARAZZO_FROM_SOURCE: '1' }, rss: rssSrc, ready: readySrc, impl: 'arazzo' as const },
    { label: 'reference', args: reference, env: {}, rss, ready, impl: 'reference' as const },
  ];
  const notes: string[] = [];
  for (const v of variants) {
    try {
      const runs: Started[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await startOnce(v.args(`bench-startup-${i}`), root, v.env));
      v.ready[v.impl].value = Math.round(median(runs.map((r) => r.readyMs)) / 100) / 10;
      v.rss[v.impl].value = median(runs.map((r) => r.idleRssMiB));
      const bundling = runs[0].output.match(/bundling the workflow code at start \(([^)]*)\)/)?.[1];
      if (v.impl === 'arazzo')
        notes.push(
          `startup (${v.label}): ${bundling ? `bundled at start (${bundling})` : 'the prebuilt bundle (dist/workflow-bundle.js) was loaded'}`,
        );
      api.log(
        `${v.label}: ready ${v.ready[v.impl].value} s, idle RSS ${v.rss[v.impl].value} MiB (median of ${RUNS}; ${runs.map((r) => `${(r.readyMs / 1000).toFixed(1)} s/${r.idleRssMiB} MiB`).join(', ')})`,
      );
    } catch (err) {
      v.ready[v.impl].error = v.rss[v.impl].error = api.short(err);
      api.log(`${v.label} failed: ${api.short(err)}`);
    }
  }
  // the reference column of the "from source" rows repeats the reference worker's figures
  rssSrc.reference = { ...rss.reference };
  readySrc.reference = { ...ready.reference };
  notes.push(
    `startup: each worker in its own process against the bench's dev server, median of ${RUNS} starts; ready = spawn until "worker running" (workers created and polling); idle RSS = VmRSS ${IDLE_MS / 1000} s after that with no work. Built package: node bin/arazzo-temporal.js → dist/cli.js with the prebuilt workflow bundle; from source: the bin with ARAZZO_FROM_SOURCE=1 (tsx, webpack bundling at start); reference: bench/reference/worker.ts through tsx, which bundles its workflow at start.`,
  );
  return notes;
}
