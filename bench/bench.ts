// npm run bench [-- --quick]: what arazzo-temporal costs, next to a hand-written Temporal workflow (bench/reference)
// that makes the same HTTP calls. A real dev server (headless, temp SQLite, free port) and the provider simulator:
//   1. history events (and bytes) per run of the batch-job seed at 10, 100 and 1,000 polls
//   1b. CPU of each of those runs (the bench process: in-process workers, simulator, client)
//   2. worker peak RSS (child process, VmHWM) and history size while downloading a 20 MB / 200 MB / 1,000 MB batch output
//   3. wall time of 200 concurrent batch-job runs on one in-process worker (each batch done on its 3rd retrieve, the same
//      requests for both; and, for information, done by the clock)
//   4. a three-step loop (test/fixtures/loops) run 5,000 times with the default continue-as-new settings: runs in
//      the chain, the largest history of any run (≤ 10,240 events), wall time
//   5. a 1-hour batch waited for by polling (60 polls) or by webhook (bench/webhooks.ts): API requests, history events
//   6. only with --only scale (bench/scale.ts): 1,000 then 10,000 runs waiting at once on one worker process
//   7. start latency p50/p99 at 1, 50 and 200 concurrent starts (bench/latency.ts)
// Prints a table with targets, writes bench/results.json. --quick skips the 1,000-poll and 200 MB figures and runs
// the loop 500 times; --only history,concurrency,downloads,loop,webhooks,latency,scale,startup,validate runs only those parts (and leaves results.json alone).
//
// The dev server's SQLite file goes to a temp dir on tmpfs (/dev/shm) when there is one (--db-dir DIR to choose),
// and the server's timer queue is tuned (--server-defaults to leave it alone): by default it fires no timer (a
// workflow sleep or an activity retry delay) sooner than ~1 s after it was set (timerProcessorMaxTimeShift) and
// reads due timers at most 20 times a second (timerProcessorMaxPollRPS), which would turn a 5 ms poll interval
// into 50 ms – 1 s for both implementations.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ArazzoClient, failureMessage, type ArazzoRunResult } from '../src/client';
import { prepareDocument } from '../src/load/prepare';
import { ARAZZO_DIR, INPUTS_DIR, simulatorServers } from '../src/dev/seeds';
import { startSimulator, type Simulator } from '../src/simulator';
import { PROJECT_ROOT, startDevServer } from '../src/temporal/dev-server';
import { installRuntime, startWorker } from '../src/worker';
import { startCounterServer } from '../test/helpers/counter-server';
import { startReferenceWorker } from './reference/worker';
import { measureWebhooks } from './webhooks';
import { measureScale } from './scale';
import { measureLatency, relativeTarget } from './latency';
import { machine, versions } from './machine';
import { measureStartup } from './startup';
import { measureValidate } from './validate';

const QUICK = process.argv.includes('--quick');
const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
/** --only history,concurrency,downloads,…: run only those parts (development; scale runs only when named) */
const ONLY = flag('--only')?.split(',');
const runs = (part: 'history' | 'concurrency' | 'downloads' | 'loop' | 'webhooks' | 'latency' | 'startup' | 'validate') =>
  !ONLY || ONLY.includes(part);
const DB_DIR = flag('--db-dir') ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const SERVER_TUNING: Record<string, string | number> = process.argv.includes('--server-defaults')
  ? {}
  : { 'history.timerProcessorMaxTimeShift': '10ms', 'history.timerProcessorMaxPollRPS': 1000 };
const tuningText = Object.keys(SERVER_TUNING).length
  ? Object.entries(SERVER_TUNING)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')
  : 'server defaults';
const API_KEY = 'sk-bench-0123456789abcdef0123456789abcdef';
const POLL_COUNTS = QUICK ? [10, 100] : [10, 100, 1000];
const DOWNLOAD_SIZES = QUICK ? [20_000_000] : [20_000_000, 200_000_000, 1_000_000_000];
const CONCURRENT_RUNS = 200;
const CONCURRENT_ROUNDS = QUICK ? 1 : 5;
const HISTORY_POLL_MS = 5;
const CONCURRENT_POLL_MS = 100;
/** the retrieve on which each batch of the 200-run figure completes (both implementations make the same requests) */
const CONCURRENT_POLLS = 3;
const LOOP_ITERATIONS = QUICK ? 500 : 5000;
/** the loop's wait between iterations (the fixture's x-temporal-poll of 10 ms, lowered in a temp copy) */
const LOOP_POLL_MS = 2;
const LOOP_DOC = join(PROJECT_ROOT, 'test', 'fixtures', 'loops', 'three-step-loop.arazzo.yaml');
/** Temporal's default history limits: the server warns at 10,240 events and terminates a run at 51,200 */
const HISTORY_WARN_EVENTS = 10_240;
const ARAZZO_QUEUE = 'bench-arazzo';
const REFERENCE_QUEUE = 'bench-reference';
const BATCH_DOC = join(ARAZZO_DIR, 'openai-batch-job.arazzo.yaml');
const DOWNLOAD_DOC = join(ARAZZO_DIR, 'openai-download-batch-results.arazzo.yaml');
const batchInputs = JSON.parse(readFileSync(join(INPUTS_DIR, 'openai-batch-job.json'), 'utf8')) as {
  endpoint: string;
  batchInputFile: string;
};
const secretKey = { $secret: 'OPENAI_API_KEY' };

// ---------------------------------------------------------------------------------------------------------
// figures

type Impl = 'arazzo' | 'reference';
interface Cell {
  value?: number;
  error?: string;
  skipped?: string;
  /** shown next to ERROR: what was measured anyway */
  partial?: string;
  /** shown next to the value, e.g. "computed, not run" */
  note?: string;
}
interface Figure {
  id: string;
  metric: string;
  unit: string;
  arazzo: Cell;
  reference: Cell;
  /** the target applies to arazzo-temporal's figure */
  target?: { text: string; max: number; inclusive?: boolean };
  details?: Record<string, unknown>;
}
const figures: Figure[] = [];
const notes: string[] = [];

function figure(id: string, metric: string, unit: string, target?: Figure['target']): Figure {
  const f: Figure = { id, metric, unit, arazzo: {}, reference: {}, target };
  figures.push(f);
  return f;
}

const short = (err: unknown) =>
  String((err as Error)?.message ?? err)
    .replace(/\s+/g, ' ')
    .slice(0, 300);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

// ---------------------------------------------------------------------------------------------------------
// cleanup: every process and temp dir, even on failure or Ctrl-C

const cleanups: { name: string; fn: () => Promise<void> | void }[] = [];
/** Run `fn` at most once (it may be called early and again by cleanup). */
function once(fn: () => Promise<void> | void): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= Promise.resolve().then(fn));
}
const children = new Set<ChildProcess>();
let cleaning: Promise<void> | undefined;
/** set by Ctrl-C / SIGTERM: the measurements stop and nothing is written */
let aborted = false;

function checkAborted(): void {
  if (aborted) throw new Error('interrupted');
}

/** Stop everything, once; a second call waits for the first. */
function cleanup(): Promise<void> {
  cleaning ??= cleanupNow();
  return cleaning;
}

async function cleanupNow(): Promise<void> {
  for (const child of children) await stopChild(child);
  for (const { name, fn } of cleanups.reverse()) {
    try {
      await Promise.race([fn(), sleep(15_000).then(() => Promise.reject(new Error('timed out')))]);
    } catch (err) {
      process.stderr.write(`cleanup ${name}: ${short(err)}\n`);
    }
  }
}

// `on`, not `once`: a second signal (tsx relays the terminal's Ctrl-C to this process as well) must not end
// the process before the cleanup is done.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (aborted) return;
    aborted = true;
    process.stderr.write(`\n${sig}: cleaning up\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------
// history, results, processes

interface HistoryFigures {
  events: number;
  bytes: number;
  runs: number;
}

/** Events and encoded size of a workflow's history, summed over its continue-as-new runs. */
async function historyOf(client: Client, workflowId: string, firstRunId: string | undefined): Promise<HistoryFigures> {
  const out: HistoryFigures = { events: 0, bytes: 0, runs: 0 };
  let runId = firstRunId;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    out.runs++;
    out.events += history.events?.length ?? 0;
    out.bytes += temporal.api.history.v1.History.encode(history).finish().length;
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return out;
    runId = next;
  }
}

/** The run's result, or (after `ms`) an error naming the last failure of its pending activity; the run is terminated. */
async function resultWithin<T>(handle: WorkflowHandle, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  try {
    return (await Promise.race([handle.result(), timeout])) as T;
  } catch (err) {
    if ((err as Error).message !== 'timeout') throw new Error(failureMessage(err));
    let why = '';
    try {
      const d = await handle.describe();
      const pending = d.raw.pendingActivities?.[0];
      if (pending)
        why = `; activity ${pending.activityType?.name} at attempt ${pending.attempt}, last failure: ${pending.lastFailure?.message ?? 'none'}`;
    } catch {
      /* describe is best effort */
    }
    await handle.terminate('benchmark timeout').catch(() => undefined);
    throw new Error(`no result within ${ms / 1000} s${why}`);
  } finally {
    clearTimeout(timer);
  }
}

function procStatus(pid: number): { hwmKb: number; rssKb: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
}

/** Reset VmHWM to the current RSS (Linux ≥ 4.0, clear_refs "5"); false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

type WorkerChild = ChildProcess & { output: string[] };

/** A worker in its own process: the real CLI for arazzo-temporal, bench/reference/worker.ts for the reference. */
function spawnWorker(
  impl: Impl,
  address: string,
  taskQueue: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<WorkerChild> {
  const args =
    impl === 'arazzo'
      ? [join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js'), 'worker', '--address', address, '--task-queue', taskQueue, ...extra]
      : ['--require', 'tsx/cjs', join(PROJECT_ROOT, 'bench', 'reference', 'worker.ts'), '--address', address, '--task-queue', taskQueue];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ARAZZO_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as WorkerChild;
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.output = [];
  const keep = (chunk: Buffer) => {
    child.output.push(chunk.toString());
    if (child.output.length > 200) child.output.splice(0, child.output.length - 200);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${impl} worker did not start in 120 s: ${child.output.join('').slice(-2000)}`)),
      120_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (chunk.toString().includes('worker running')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${impl} worker exited (${code ?? signal}): ${child.output.join('').slice(-2000)}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------------------
// the three measurements

interface Ctx {
  address: string;
  sim: Simulator;
  client: Client;
  arazzo: ArazzoClient;
  openaiUrl: string;
  servers: Record<string, string>;
}

async function startArazzoBatchJob(ctx: Ctx, id: string, pollMs: number) {
  return ctx.arazzo.start({
    document: BATCH_DOC,
    inputs: { apiKey: secretKey, endpoint: batchInputs.endpoint, batchInputFile: batchInputs.batchInputFile },
    servers: ctx.servers,
    poll: { initialIntervalMs: pollMs, maxIntervalMs: pollMs },
    id,
  });
}

function startReferenceBatchJob(ctx: Ctx, id: string, pollMs: number) {
  return ctx.client.workflow.start('referenceBatchJob', {
    taskQueue: REFERENCE_QUEUE,
    workflowId: id,
    args: [{ baseUrl: ctx.openaiUrl, batchInputFile: batchInputs.batchInputFile, endpoint: batchInputs.endpoint, pollIntervalMs: pollMs }],
  });
}

async function measureHistory(ctx: Ctx): Promise<void> {
  for (const n of [10, 100, 1000]) {
    const events = figure(`historyEvents@${n}`, `history events per run, ${n.toLocaleString('en')} polls`, 'events', {
      text: '≤ 40',
      max: 40,
      inclusive: true,
    });
    const bytes = figure(`historyBytes@${n}`, `history size per run, ${n.toLocaleString('en')} polls`, 'KiB');
    const time = figure(`pollRunSeconds@${n}`, `wall time of that run (${HISTORY_POLL_MS} ms poll interval)`, 's');
    const cpu = figure(`pollRunCpu@${n}`, `CPU of that run (workers, simulator, client: one process)`, 'CPU-s', {
      text: '≤ reference (not measured)',
      max: NaN,
      inclusive: true,
    });
    if (!POLL_COUNTS.includes(n)) {
      for (const f of [events, bytes, time, cpu]) f.arazzo.skipped = f.reference.skipped = '--quick';
      continue;
    }
    for (const impl of ['arazzo', 'reference'] as Impl[]) {
      checkAborted();
      ctx.sim.reset();
      ctx.sim.setOutcome({ batchPollsToComplete: n });
      const id = `bench-history-${impl}-${n}-${Date.now()}`;
      const t0 = Date.now();
      const cpu0 = process.cpuUsage();
      try {
        let batchId: string;
        let firstRunId: string | undefined;
        let detail: Record<string, unknown>;
        if (impl === 'arazzo') {
          const started = await startArazzoBatchJob(ctx, id, HISTORY_POLL_MS);
          firstRunId = (started.handle as WorkflowHandleWithFirstExecutionRunId).firstExecutionRunId;
          const result = await resultWithin<ArazzoRunResult>(started.handle, 600_000);
          batchId = String(result.outputs.batchId);
          detail = { enginePolls: result.polls, stepRuns: result.stepRuns };
        } else {
          const handle = await startReferenceBatchJob(ctx, id, HISTORY_POLL_MS);
          firstRunId = handle.firstExecutionRunId;
          const result = await resultWithin<{ batchId: string; polls: number }>(handle, 600_000);
          batchId = result.batchId;
          detail = {};
        }
        const seconds = (Date.now() - t0) / 1000;
        const used = process.cpuUsage(cpu0);
        cpu[impl].value = Math.round((used.user + used.system) / 10_000) / 100;
        const h = await historyOf(ctx.client, id, firstRunId);
        const retrieves = ctx.sim.count('GET', `/v1/batches/${batchId}`);
        events[impl].value = h.events;
        bytes[impl].value = Math.round((h.bytes / 1024) * 10) / 10;
        time[impl].value = Math.round(seconds * 10) / 10;
        events.details = { ...events.details, [impl]: { ...detail, retrieves, runs: h.runs, historyBytes: h.bytes, seconds } };
        log(
          `${impl}: ${n} polls → ${h.events} events, ${h.bytes} bytes, ${h.runs} run(s), ${retrieves} GET /v1/batches/{id}, ${seconds.toFixed(1)} s`,
        );
      } catch (err) {
        events[impl].error = bytes[impl].error = time[impl].error = cpu[impl].error = short(err);
        log(`${impl}: ${n} polls failed: ${short(err)}`);
      }
    }
  }
  for (const n of POLL_COUNTS) {
    const f = figures.find((x) => x.id === `pollRunCpu@${n}`);
    if (f?.target && f.reference.value !== undefined)
      f.target = { text: `≤ reference (${f.reference.value})`, max: f.reference.value, inclusive: true };
  }
  ctx.sim.setOutcome({});
}

/** Upload, create and retrieve once: a completed batch whose output file is `size` bytes. */
async function completedBatch(ctx: Ctx, size: number): Promise<{ batchId: string; outputFileId: string }> {
  ctx.sim.setOutcome({ batchPollsToComplete: 1, batchOutputBytes: size });
  const headers = { authorization: `Bearer ${API_KEY}` };
  const form = new FormData();
  form.append('purpose', 'batch');
  form.append('file', new Blob([batchInputs.batchInputFile]), 'input.jsonl');
  const file = (await (await fetch(`${ctx.openaiUrl}/files`, { method: 'POST', headers, body: form })).json()) as { id: string };
  const created = (await (
    await fetch(`${ctx.openaiUrl}/batches`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ input_file_id: file.id, endpoint: batchInputs.endpoint, completion_window: '24h' }),
    })
  ).json()) as { id: string };
  const batch = (await (await fetch(`${ctx.openaiUrl}/batches/${created.id}`, { headers })).json()) as {
    status: string;
    output_file_id: string;
  };
  ctx.sim.setOutcome({});
  if (batch.status !== 'completed') throw new Error(`the prepared batch is ${batch.status}, not completed`);
  return { batchId: created.id, outputFileId: batch.output_file_id };
}

async function measureDownloads(ctx: Ctx): Promise<void> {
  for (const size of [20_000_000, 200_000_000, 1_000_000_000]) {
    const label = `${size / 1_000_000} MB`;
    const rss = figure(`workerPeakRss@${label}`, `worker peak RSS, ${label} download`, 'MiB', { text: '< 200 MiB', max: 200 });
    const growth = figure(`workerRssGrowth@${label}`, `worker RSS growth during the ${label} download`, 'MiB');
    const hist = figure(`downloadHistoryBytes@${label}`, `history size, ${label} download`, 'KiB', { text: '< 1 MiB', max: 1024 });
    if (!DOWNLOAD_SIZES.includes(size)) {
      for (const f of [rss, growth, hist]) f.arazzo.skipped = f.reference.skipped = '--quick';
      continue;
    }
    ctx.sim.reset();
    const { batchId } = await completedBatch(ctx, size);
    for (const impl of ['arazzo', 'reference'] as Impl[]) {
      checkAborted();
      const queue = `bench-rss-${impl}-${size}`;
      let child: WorkerChild | undefined;
      let workflowChild: WorkerChild | undefined;
      const detail: Record<string, unknown> = {};
      try {
        // arazzo-temporal runs as a production deployment would for large downloads: a workflow worker and
        // an HTTP-activity worker (`worker --role workflows|activities`); the RSS measured is the HTTP worker's.
        if (impl === 'arazzo') {
          workflowChild = await spawnWorker(impl, ctx.address, queue, ['--role', 'workflows', '--activity-task-queue', `${queue}-http`]);
          child = await spawnWorker(impl, ctx.address, queue, ['--role', 'activities', '--activity-task-queue', `${queue}-http`]);
        } else child = await spawnWorker(impl, ctx.address, queue);
        const pid = child.pid as number;
        await sleep(1000);
        const idle = procStatus(pid);
        detail.startupPeakMiB = mb(idle.hwmKb * 1024);
        detail.peakResetAtStart = resetPeak(pid);
        const before = procStatus(pid);
        detail.idleRssMiB = mb(before.rssKb * 1024);
        const id = `bench-download-${impl}-${size}-${Date.now()}`;
        const t0 = Date.now();
        let firstRunId: string | undefined;
        try {
          if (impl === 'arazzo') {
            const client = ArazzoClient.fromClient(ctx.client, { taskQueue: queue, activityTaskQueue: `${queue}-http` });
            const started = await client.start({
              document: DOWNLOAD_DOC,
              inputs: { apiKey: secretKey, batchId },
              servers: ctx.servers,
              id,
            });
            firstRunId = (started.handle as WorkflowHandleWithFirstExecutionRunId).firstExecutionRunId;
            const result = await resultWithin<ArazzoRunResult>(started.handle, size > 50_000_000 ? 600_000 : 90_000);
            const contents = result.outputs.contents as unknown;
            detail.contents =
              contents && typeof contents === 'object' && '$blob' in contents
                ? { blob: true, ...(contents as Record<string, unknown>), $blob: undefined }
                : { blob: false, type: typeof contents, length: typeof contents === 'string' ? contents.length : undefined };
          } else {
            const handle = await ctx.client.workflow.start('referenceDownloadResults', {
              taskQueue: queue,
              workflowId: id,
              args: [{ baseUrl: ctx.openaiUrl, batchId }],
            });
            firstRunId = handle.firstExecutionRunId;
            detail.contents = await resultWithin<Record<string, unknown>>(handle, size > 50_000_000 ? 600_000 : 90_000);
          }
          detail.seconds = (Date.now() - t0) / 1000;
        } catch (err) {
          rss[impl].error = growth[impl].error = hist[impl].error = short(err);
        }
        const after = procStatus(pid);
        if (!rss[impl].error) {
          rss[impl].value = mb(after.hwmKb * 1024);
          growth[impl].value = mb((after.hwmKb - before.rssKb) * 1024);
        } else {
          detail.peakMiBDespiteError = mb(after.hwmKb * 1024);
          rss[impl].partial = `peak ${mb(after.hwmKb * 1024)} MiB until stopped`;
        }
        try {
          const h = await historyOf(ctx.client, id, firstRunId);
          detail.historyEvents = h.events;
          if (!hist[impl].error) hist[impl].value = Math.round((h.bytes / 1024) * 10) / 10;
          else detail.historyKiBDespiteError = Math.round((h.bytes / 1024) * 10) / 10;
        } catch (err) {
          hist[impl].error ??= short(err);
        }
        log(
          `${impl}: ${label} download → peak RSS ${mb(after.hwmKb * 1024)} MiB${rss[impl].error ? ` (failed: ${rss[impl].error})` : ''}, history ${hist[impl].value ?? '-'} KiB`,
        );
      } catch (err) {
        rss[impl].error ??= short(err);
        growth[impl].error ??= short(err);
        hist[impl].error ??= short(err);
        log(`${impl}: ${label} download failed: ${short(err)}`);
      } finally {
        if (child) await stopChild(child);
        if (workflowChild) await stopChild(workflowChild);
      }
      rss.details = { ...rss.details, [impl]: detail };
    }
    const a = (rss.details?.arazzo as { contents?: { sha256?: string } } | undefined)?.contents?.sha256;
    const r = (rss.details?.reference as { contents?: { sha256?: string } } | undefined)?.contents?.sha256;
    if (a && r) rss.details = { ...rss.details, sameSha256: a === r };
  }
}

interface ConcurrentSample {
  seconds: number;
  startPhaseSeconds: number;
  retrievesPerRun: number;
  failures: string[];
}

/**
 * How a concurrent round's batches end. `polls`: each on its CONCURRENT_POLLS-th retrieve (simulator outcome
 * batchPollsToComplete), so both implementations make the same requests and the wall times compare the same work.
 * `clock`: ~1.1 s after creation (timing 'fast'), as a provider does; then the implementations make different numbers
 * of requests (a hand-written timer loop polls less often than its interval once the machine is saturated: each poll
 * waits for two workflow tasks besides its timer, while a retry-based poll waits for its interval only).
 */
type EndBy = 'polls' | 'clock';

/** Start CONCURRENT_RUNS batch jobs at once and wait for all of them. */
async function concurrentRuns(ctx: Ctx, impl: Impl, endBy: EndBy): Promise<ConcurrentSample> {
  ctx.sim.reset();
  ctx.sim.setOutcome(endBy === 'polls' ? { batchPollsToComplete: CONCURRENT_POLLS } : {});
  ctx.sim.setTiming('fast');
  const stamp = Date.now();
  const t0 = performance.now();
  const handles = await Promise.all(
    Array.from({ length: CONCURRENT_RUNS }, async (_, i) => {
      const id = `bench-concurrent-${endBy}-${impl}-${stamp}-${i}`;
      return impl === 'arazzo'
        ? (await startArazzoBatchJob(ctx, id, CONCURRENT_POLL_MS)).handle
        : await startReferenceBatchJob(ctx, id, CONCURRENT_POLL_MS);
    }),
  );
  const started = performance.now() - t0;
  const results = await Promise.all(
    handles.map((h) =>
      resultWithin(h, 600_000).then(
        () => null,
        (err) => short(err),
      ),
    ),
  );
  const round2 = (ms: number) => Math.round(ms / 10) / 100;
  return {
    seconds: round2(performance.now() - t0),
    startPhaseSeconds: round2(started),
    retrievesPerRun: ctx.sim.count('GET', /^\/v1\/batches\/[^/]+$/) / CONCURRENT_RUNS,
    failures: results.filter((r): r is string => r !== null),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Rounds of CONCURRENT_RUNS runs of each implementation; medians into `wall` (and `starting`, when given). */
async function concurrentRounds(ctx: Ctx, endBy: EndBy, wall: Figure, starting?: Figure): Promise<void> {
  const samples: Record<Impl, ConcurrentSample[]> = { arazzo: [], reference: [] };
  // rounds alternate which implementation goes first, so a drift in the machine's load hits both
  for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
    for (const impl of (round % 2 ? ['reference', 'arazzo'] : ['arazzo', 'reference']) as Impl[]) {
      checkAborted();
      try {
        const sample = await concurrentRuns(ctx, impl, endBy);
        samples[impl].push(sample);
        log(
          `${impl} (ending by ${endBy}): ${CONCURRENT_RUNS} runs in ${sample.seconds} s (all started after ${sample.startPhaseSeconds} s, ${sample.retrievesPerRun.toFixed(1)} retrieves per run${sample.failures.length ? `, ${sample.failures.length} failed` : ''})`,
        );
      } catch (err) {
        wall[impl].error = short(err);
        if (starting) starting[impl].error = short(err);
        log(`${impl}: concurrent runs failed: ${short(err)}`);
      }
    }
  }
  for (const impl of ['arazzo', 'reference'] as Impl[]) {
    const ok = samples[impl];
    const failed = ok.flatMap((s) => s.failures);
    if (failed.length) wall[impl].error = `${failed.length} of ${ok.length * CONCURRENT_RUNS} runs failed, e.g. ${failed[0]}`;
    else if (ok.length && !wall[impl].error) {
      wall[impl].value = median(ok.map((s) => s.seconds));
      if (starting) starting[impl].value = median(ok.map((s) => s.startPhaseSeconds));
    }
    wall.details = {
      ...wall.details,
      [impl]: ok.map((s) => ({ ...s, failures: s.failures.length })),
      [`${impl}RetrievesPerRun`]: ok.length ? median(ok.map((s) => s.retrievesPerRun)) : undefined,
    };
  }
}

async function measureConcurrency(ctx: Ctx): Promise<void> {
  const rounds = CONCURRENT_ROUNDS > 1 ? `, median of ${CONCURRENT_ROUNDS}` : '';
  const f = figure(
    `wallTime@${CONCURRENT_RUNS}`,
    `wall time, ${CONCURRENT_RUNS} concurrent batch-job runs (each batch done on its poll ${CONCURRENT_POLLS}${rounds})`,
    's',
  );
  const starting = figure(`startPhase@${CONCURRENT_RUNS}`, `  of which starting the ${CONCURRENT_RUNS} runs`, 's');
  const clock = figure(
    `wallTimeClock@${CONCURRENT_RUNS}`,
    `  the same, each batch done ~1.1 s after creation${rounds} (informational: the requests differ)`,
    's',
  );
  // an untimed round of each first: the first rounds on a fresh dev server ran up to 1.7× slower than later ones
  // (both implementations alike), which swung the medians of `--only concurrency`
  if (!QUICK)
    for (const impl of ['reference', 'arazzo'] as Impl[]) {
      const warm = await concurrentRuns(ctx, impl, 'polls').catch((err: unknown) => short(err));
      log(`${impl}: warm-up round${typeof warm === 'string' ? ` failed: ${warm}` : ` took ${warm.seconds} s (not counted)`}`);
    }
  await concurrentRounds(ctx, 'polls', f, starting);
  relativeTarget(f);
  relativeTarget(starting);
  await concurrentRounds(ctx, 'clock', clock);
  for (const impl of ['arazzo', 'reference'] as Impl[]) {
    const perRun = clock.details?.[`${impl}RetrievesPerRun`] as number | undefined;
    if (perRun !== undefined) clock[impl].note = `${perRun.toFixed(1)} retrieves per run`;
  }
  // what client.start() spends compiling the document, per run
  const t0 = performance.now();
  for (let i = 0; i < 20; i++)
    await ctx.arazzo.prepare({ document: BATCH_DOC, inputs: { apiKey: secretKey, ...batchInputs }, servers: ctx.servers });
  const cached = (performance.now() - t0) / 20;
  const t1 = performance.now();
  for (let i = 0; i < 5; i++) await prepareDocument(BATCH_DOC, { servers: ctx.servers });
  f.details = {
    ...f.details,
    prepareMsPerRun: Math.round(cached * 100) / 100,
    compileMsUncached: Math.round((performance.now() - t1) / 5),
  };
}

/** Events a hand-written Temporal workflow (no continue-as-new) would record for the three-step loop run `n` times:
 *  start + first workflow task (4), createCounter (6: activity scheduled/started/completed + a workflow task's 3),
 *  n × increment/read/check (18), n − 1 loop waits (5: timer started/fired + a workflow task), summary (6), the close (1).
 *  The same counting gives the reference batch job's 11,018 events at 1,000 polls (2 + 1,000 + 1 activities, 999 timers). */
const handWrittenLoopEvents = (n: number) => 4 + 6 + 18 * n + 5 * (n - 1) + 6 + 1;

async function measureLoop(ctx: Ctx, dataDir: string): Promise<void> {
  const n = LOOP_ITERATIONS;
  const label = `3-step loop × ${n.toLocaleString('en')}`;
  const maxEvents = figure(`loopMaxRunEvents@${n}`, `largest history of any run, ${label}`, 'events', {
    text: `≤ ${HISTORY_WARN_EVENTS.toLocaleString('en')}`,
    max: HISTORY_WARN_EVENTS,
    inclusive: true,
  });
  const runCount = figure(`loopRuns@${n}`, `  runs in the continue-as-new chain`, 'runs');
  const total = figure(`loopTotalEvents@${n}`, `  history events, all runs together`, 'events');
  const time = figure(`loopSeconds@${n}`, `  wall time of the ${label} (${LOOP_POLL_MS} ms loop wait)`, 's');
  const computed = 'computed, not run';
  const refEvents = handWrittenLoopEvents(n);
  maxEvents.reference = { value: refEvents, note: computed };
  total.reference = { value: refEvents, note: computed };
  runCount.reference = { value: 1, note: computed };
  time.reference = { skipped: 'not run' };
  const all = [maxEvents, runCount, total, time];
  checkAborted();
  // the fixture with a shorter loop wait: a copy next to its OpenAPI file, in the bench's temp dir
  const docDir = join(dataDir, 'loops');
  mkdirSync(docDir, { recursive: true });
  copyFileSync(join(LOOP_DOC, '..', 'counter-openapi.yaml'), join(docDir, 'counter-openapi.yaml'));
  const docText = readFileSync(LOOP_DOC, 'utf8').replace(/(interval|maxInterval): 10ms/g, `$1: ${LOOP_POLL_MS}ms`);
  if (!docText.includes(`maxInterval: ${LOOP_POLL_MS}ms`)) throw new Error(`${LOOP_DOC}: no x-temporal-poll interval to lower`);
  const doc = join(docDir, 'three-step-loop.arazzo.yaml');
  writeFileSync(doc, docText);
  const counter = await startCounterServer();
  const closeCounter = once(() => counter.close());
  cleanups.push({ name: 'counter server', fn: closeCounter });
  const id = `bench-loop-${n}-${Date.now()}`;
  const t0 = Date.now();
  try {
    const stepRuns = 1 + 3 * n + 1; // createCounter, the loop, summary
    const started = await ctx.arazzo.start({
      document: doc,
      inputs: { target: n },
      servers: { counterApi: counter.url },
      poll: { initialIntervalMs: LOOP_POLL_MS, maxIntervalMs: LOOP_POLL_MS },
      // default continue-as-new settings (no continueAsNewAfter); maxStepRuns only stops a run that lost its state
      options: { maxStepRuns: stepRuns + 10 },
      id,
    });
    const result = await resultWithin<ArazzoRunResult>(started.handle, 1000 * (300 + n));
    const seconds = (Date.now() - t0) / 1000;
    // follow the chain forwards from the first run: each run but the last ends with WorkflowExecutionContinuedAsNew
    const sizes: number[] = [];
    let runId: string | undefined = (started.handle as WorkflowHandleWithFirstExecutionRunId).firstExecutionRunId;
    let lastEvent: temporal.api.history.v1.IHistoryEvent | undefined;
    while (runId) {
      const events: temporal.api.history.v1.IHistoryEvent[] = (await ctx.client.workflow.getHandle(id, runId).fetchHistory()).events ?? [];
      sizes.push(events.length);
      lastEvent = events.at(-1);
      runId = lastEvent?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId || undefined;
    }
    const events = sizes.reduce((a, b) => a + b, 0);
    maxEvents.arazzo.value = Math.max(...sizes);
    runCount.arazzo.value = sizes.length;
    total.arazzo.value = events;
    time.arazzo.value = Math.round(seconds * 10) / 10;
    const o = result.outputs;
    const problems = [
      !lastEvent?.workflowExecutionCompletedEventAttributes && 'the last run of the chain did not complete',
      (o.value !== n || o.increments !== n || o.checks !== n || o.lastIncrement !== n) &&
        `outputs show ${o.value}/${o.increments}/${o.checks}/${o.lastIncrement} (value/increments/checks/lastIncrement), not ${n}`,
      result.stepRuns !== stepRuns && `${result.stepRuns} step runs, not ${stepRuns}`,
      counter.log.replays && `${counter.log.replays} Idempotency-Key replays`,
      counter.log.keys.size !== 1 + n && `${counter.log.keys.size} distinct Idempotency-Keys, not ${1 + n}`,
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length) for (const f of all) f.arazzo.error = problems.join('; ');
    maxEvents.details = {
      arazzo: {
        outputs: o,
        stepRuns: result.stepRuns,
        runHistoryEvents: sizes,
        eventsPerStep: Math.round((events / stepRuns) * 100) / 100,
        requests: counter.log.requests,
        idempotencyKeys: counter.log.keys.size,
        replays: counter.log.replays,
        seconds,
      },
      reference: {
        computed: true,
        activities: stepRuns,
        timers: n - 1,
        formula: '4 + 6 × (3n + 2) + 5 × (n − 1) + 1 = 23n + 12',
        overTemporalHardLimit51200: refEvents > 51_200,
      },
    };
    log(
      `arazzo: ${n} iterations (${result.stepRuns} steps) → ${sizes.length} runs, largest ${Math.max(...sizes)} events, ${events} in all, ${seconds.toFixed(1)} s; outputs value ${o.value}, increments ${o.increments}, checks ${o.checks}${problems.length ? `; PROBLEMS: ${problems.join('; ')}` : ''}`,
    );
  } catch (err) {
    for (const f of all) f.arazzo.error = short(err);
    log(`arazzo: ${label} failed: ${short(err)}`);
    await ctx.client.workflow
      .getHandle(id)
      .terminate('benchmark failed')
      .catch(() => undefined);
  } finally {
    await closeCounter();
    rmSync(docDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// report

function cell(c: Cell, unit: string): string {
  if (c.skipped) return `skipped (${c.skipped})`;
  if (c.error) return c.partial ? `ERROR (${c.partial})` : 'ERROR';
  return c.value === undefined ? '-' : `${c.value.toLocaleString('en')} ${unit}${c.note ? ` (${c.note})` : ''}`;
}

function verdict(f: Figure): string {
  if (!f.target) return '';
  if (f.arazzo.skipped) return `${f.target.text}: skipped`;
  if (f.arazzo.error || f.arazzo.value === undefined) return `${f.target.text}: FAIL`;
  const pass = f.target.inclusive ? f.arazzo.value <= f.target.max : f.arazzo.value < f.target.max;
  return `${f.target.text}: ${pass ? 'PASS' : 'FAIL'}`;
}

function ratio(f: Figure): string {
  const a = f.arazzo.value;
  const r = f.reference.value;
  if (a === undefined || r === undefined || r === 0) return '-';
  const x = a / r;
  if (x < 0.1) return `1/${Math.round(1 / x)}`;
  return `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)}×`;
}

function table(): string {
  const rows = [
    ['metric', 'arazzo-temporal', 'reference', 'ratio', 'target'],
    ...figures.map((f) => [f.metric, cell(f.arazzo, f.unit), cell(f.reference, f.unit), ratio(f), verdict(f)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function idleOf(impl: Impl): string {
  const values = figures
    .filter((f) => f.id.startsWith('workerPeakRss@'))
    .map((f) => (f.details?.[impl] as { idleRssMiB?: number } | undefined)?.idleRssMiB)
    .filter((v): v is number => v !== undefined);
  return values.length ? values.join(' / ') : '?';
}

function errors(): string[] {
  const byMessage = new Map<string, string[]>();
  for (const f of figures) {
    for (const impl of ['arazzo', 'reference'] as Impl[]) {
      const e = f[impl].error;
      if (!e) continue;
      const key = `${impl === 'arazzo' ? 'arazzo-temporal' : 'reference'}: ${e}`;
      byMessage.set(key, [...(byMessage.get(key) ?? []), f.metric.trim()]);
    }
  }
  return [...byMessage].map(([key, metrics]) => `${metrics.join('; ')} — ${key}`);
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = Date.now();
  const loadAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const dataDir = mkdtempSync(join(DB_DIR, 'arazzo-bench-'));
  cleanups.push({ name: 'temp dir', fn: () => rmSync(dataDir, { recursive: true, force: true }) });
  const blobDir = mkdtempSync(join(tmpdir(), 'arazzo-bench-blobs-'));
  cleanups.push({ name: 'blob dir', fn: () => rmSync(blobDir, { recursive: true, force: true }) });
  process.env.OPENAI_API_KEY = API_KEY;
  // plaintext payloads on both sides: the reference has no codec, and a dev key file (.data/codec-keys.json, written by
  // the first `npm start`) would otherwise turn encryption on for arazzo-temporal's workers and not for this client
  process.env.ARAZZO_CODEC_KEYS = 'none';
  process.env.ARAZZO_BLOB_DIR = blobDir;
  process.env.ARAZZO_ALLOW_HOSTS ||= '127.0.0.1'; // the simulator and the counter server listen on loopback
  installRuntime('ERROR');

  log(`dev server (headless, SQLite in ${dataDir}, ${tuningText}) and simulator${QUICK ? ' — quick mode' : ''}`);
  const server = await startDevServer({ port: 0, headless: true, dbFile: join(dataDir, 'temporal.db'), dynamicConfig: SERVER_TUNING });
  cleanups.push({ name: 'dev server', fn: () => server.stop() });
  const sim = await startSimulator({ port: 0, timing: 'fast', apiKeys: [API_KEY] });
  cleanups.push({ name: 'simulator', fn: () => sim.close() });
  const connection = await Connection.connect({ address: server.address });
  cleanups.push({ name: 'client connection', fn: once(() => connection.close()) });
  const client = new Client({ connection });
  const ctx: Ctx = {
    address: server.address,
    sim,
    client,
    arazzo: ArazzoClient.fromClient(client, { taskQueue: ARAZZO_QUEUE }),
    openaiUrl: `${sim.url}/v1`,
    servers: { openaiApi: simulatorServers(sim.url).openaiApi },
  };

  log('in-process workers: arazzo-temporal and reference');
  const arazzoWorker = await startWorker({ address: server.address, taskQueue: ARAZZO_QUEUE });
  const stopArazzo = once(() => arazzoWorker.stop());
  cleanups.push({ name: 'arazzo worker', fn: stopArazzo });
  const referenceWorker = await startReferenceWorker({ address: server.address, taskQueue: REFERENCE_QUEUE });
  const stopReference = once(() => referenceWorker.stop());
  cleanups.push({ name: 'reference worker', fn: stopReference });

  log('warm-up: one batch job on each worker (first workflow and activity of a worker cost extra)');
  try {
    sim.setOutcome({ batchPollsToComplete: 2 });
    await resultWithin((await startArazzoBatchJob(ctx, `bench-warmup-arazzo-${Date.now()}`, HISTORY_POLL_MS)).handle, 120_000);
    await resultWithin(await startReferenceBatchJob(ctx, `bench-warmup-reference-${Date.now()}`, HISTORY_POLL_MS), 120_000);
  } catch (err) {
    log(`warm-up failed: ${short(err)}`);
  } finally {
    sim.setOutcome({});
  }

  if (runs('history')) {
    log(`1. history per run at ${POLL_COUNTS.join(', ')} polls (poll interval ${HISTORY_POLL_MS} ms)`);
    await measureHistory(ctx);
  }
  if (runs('concurrency')) {
    log(
      `3. ${CONCURRENT_RUNS} concurrent runs (poll interval ${CONCURRENT_POLL_MS} ms; batches done on their poll ${CONCURRENT_POLLS}, then by the clock)`,
    );
    await measureConcurrency(ctx);
  }
  if (runs('latency')) {
    log('7. start latency at 1, 50 and 200 concurrent starts (bench/latency.ts)');
    const start = async (impl: Impl, id: string) =>
      impl === 'arazzo'
        ? (await startArazzoBatchJob(ctx, id, CONCURRENT_POLL_MS)).handle
        : startReferenceBatchJob(ctx, id, CONCURRENT_POLL_MS);
    notes.push(...(await measureLatency({ figure, log, short, start, resultWithin }, QUICK ? 1 : 3)));
  }
  if (runs('loop')) {
    log(
      `4. a three-step loop run ${LOOP_ITERATIONS.toLocaleString('en')} times, default continue-as-new settings (loop wait ${LOOP_POLL_MS} ms)`,
    );
    await measureLoop(ctx, dataDir);
  }
  if (runs('webhooks')) {
    log('5. a 1-hour batch: polling (60 polls) vs webhook (bench/webhooks.ts)');
    const inputs = { apiKey: secretKey, endpoint: batchInputs.endpoint, batchInputFile: batchInputs.batchInputFile };
    notes.push(...(await measureWebhooks({ ...ctx, inputs }, { figure, log, short, historyOf, resultWithin })));
  }
  if (ONLY?.includes('scale')) {
    log('6. runs waiting at once, 1,000 then 10,000 (bench/scale.ts; only with --only scale)');
    const spawn1 = async (address: string, queue: string, env: Record<string, string>) =>
      ((c) => ({ pid: c.pid, stop: () => stopChild(c) }))(await spawnWorker('arazzo', address, queue, [], env));
    notes.push(
      ...(await measureScale({ figure, log, short, spawnWorker: spawn1, apiKey: API_KEY, dbDir: DB_DIR, serverTuning: SERVER_TUNING })),
    );
  }
  await stopArazzo();
  await stopReference();
  if (runs('startup')) notes.push(...(await measureStartup(PROJECT_ROOT, server.address, { figure, log, short })));
  if (runs('validate')) notes.push(...(await measureValidate(PROJECT_ROOT, { figure, log, short })));
  if (runs('downloads')) {
    log(`2. worker peak RSS while downloading ${DOWNLOAD_SIZES.map((s) => `${s / 1e6} MB`).join(', ')} (a fresh worker process each)`);
    await measureDownloads(ctx);
  }

  checkAborted();
  const blobStore =
    existsSync(join(PROJECT_ROOT, 'src', 'load', 'blob-store.ts')) &&
    /blob/i.test(readFileSync(join(PROJECT_ROOT, 'src', 'activities', 'run-step.ts'), 'utf8'));
  notes.push(
    `server: temporal CLI dev server, SQLite file in ${DB_DIR}, ${tuningText} (by default every timer and activity retry delay lasts ≥ ~1 s, and due timers are read at most 20 times a second: a 5 ms poll interval would become 50 ms – 1 s for both implementations).`,
  );
  if (runs('history'))
    notes.push(
      `history: the batch completes on its Nth retrieve (simulator outcome batchPollsToComplete: N); poll interval ${HISTORY_POLL_MS} ms. arazzo-temporal polls inside one activity through retries, then its getResult step reads the batch once more (N+1 retrieves); the reference loops retrieveBatch + sleep (one activity and one timer per poll), then makes getResult's retrieve too (N+1 retrieves).`,
    );
  if (runs('downloads'))
    notes.push(
      `downloads: a completed batch whose output file the simulator pads to the size (streamed). arazzo-temporal runs a workflow worker and an HTTP-activity worker (worker --role workflows|activities), each in its own process, and the figure is the HTTP worker's; the reference runs its one worker. Peak RSS is VmHWM after the run, reset (clear_refs 5) once the worker was up, so it is the download's peak, not bundling's (startup peak in results.json). The worker's RSS when idle after start is part of that peak (arazzo-temporal ${idleOf('arazzo')} MiB, reference ${idleOf('reference')} MiB): the HTTP worker bundles no workflow code, the reference worker bundles its workflow with webpack at start; the growth row is what the download itself added.`,
      `the reference download reads the whole body into memory with axios and returns only its length and sha256: returning the body would exceed Temporal's payload limit (2 MB per payload; 256 KB warns).`,
      `blob store code present in src/activities: ${blobStore ? 'yes' : 'no'} (ARAZZO_BLOB_DIR = a temp dir).`,
    );
  if (runs('loop'))
    notes.push(
      `loop: test/fixtures/loops/three-step-loop.arazzo.yaml (increment → read → check → increment …, against a node:http counter that honours Idempotency-Key) with target ${LOOP_ITERATIONS.toLocaleString('en')} and its x-temporal-poll lowered to ${LOOP_POLL_MS} ms, on the in-process worker with the engine's default continue-as-new settings (after 500 step executions, or sooner when the server suggests it); the chain is followed run by run (newExecutionRunId) and the outputs must show ${LOOP_ITERATIONS.toLocaleString('en')} increments. The reference column is computed, not run: a hand-written workflow without continue-as-new records 23n + 12 events for n iterations (6 per activity with its workflow task, 5 per timer, 3n + 2 activities, n − 1 timers; the same count gives the reference batch job's 11,018 events at 1,000 polls) = ${handWrittenLoopEvents(LOOP_ITERATIONS).toLocaleString('en')} events in one history${handWrittenLoopEvents(LOOP_ITERATIONS) > 51_200 ? ", past the server's 51,200-event limit, where it would be terminated" : ''}.`,
    );
  if (runs('concurrency'))
    notes.push(
      `concurrency: one in-process worker each (default worker options), poll interval ${CONCURRENT_POLL_MS} ms. The goal's rounds end each batch on its retrieve ${CONCURRENT_POLLS} (simulator outcome batchPollsToComplete), so both make the same requests (upload, create, ${CONCURRENT_POLLS} retrieves, the final retrieve); the informational rounds end it ~1.1 s after creation (timing 'fast'), where the hand-written timer loop polls less often than its interval once the machine is saturated (each of its polls also waits for two workflow tasks), so the two make different numbers of requests. The runs share 2 CPUs with the dev server and the simulator. arazzo-temporal's client.start() takes the plan from the compiled-plan cache (src/load/plan-cache.ts: ${(figures.find((f) => f.id.startsWith('wallTime@'))?.details as { prepareMsPerRun?: number } | undefined)?.prepareMsPerRun ?? '?'} ms per prepare, against ${(figures.find((f) => f.id.startsWith('wallTime@'))?.details as { compileMsUncached?: number } | undefined)?.compileMsUncached ?? '?'} ms for a compile, measured alone).`,
    );

  const report = [
    '',
    `arazzo-temporal benchmark — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, ${mb(totalmem())} MiB RAM, load average ${loadAtStart[0]} at start / ${loadavg()[0].toFixed(2)} at end${QUICK ? ', --quick' : ''}`,
    '',
    table(),
    '',
    ...notes.map((n) => `- ${n}`),
    ...(errors().length ? ['', 'Errors:', ...errors().map((e) => `- ${e}`)] : []),
    '',
    `total ${((Date.now() - began) / 1000).toFixed(0)} s; ${ONLY ? 'partial run (--only): bench/results.json left as it was' : 'figures in bench/results.json'}${ONLY?.includes('scale') ? '; the scale figures in bench/results-scale.json' : ''}`,
  ].join('\n');
  process.stdout.write(report + '\n');

  const results = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick: QUICK,
    commit: git('rev-parse', 'HEAD'),
    dirtyFiles: git('status', '--porcelain').split('\n').filter(Boolean),
    machine: machine(loadAtStart),
    versions: versions(),
    environment: {
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryMiB: mb(totalmem()),
      platform: process.platform,
    },
    blobStorePresent: blobStore,
    settings: {
      dbDir: DB_DIR,
      serverDynamicConfig: SERVER_TUNING,
      concurrentRounds: CONCURRENT_ROUNDS,
      pollCounts: POLL_COUNTS,
      historyPollMs: HISTORY_POLL_MS,
      downloadSizes: DOWNLOAD_SIZES,
      concurrentRuns: CONCURRENT_RUNS,
      concurrentPollMs: CONCURRENT_POLL_MS,
      concurrentPollsToComplete: CONCURRENT_POLLS,
      loopIterations: LOOP_ITERATIONS,
      loopPollMs: LOOP_POLL_MS,
    },
    figures: figures.map((f) => ({ ...f, ratio: ratio(f), verdict: verdict(f) || undefined })),
    notes,
    totalSeconds: Math.round((Date.now() - began) / 1000),
  };
  checkAborted();
  if (!ONLY) writeFileSync(join(PROJECT_ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  else if (ONLY.includes('scale'))
    writeFileSync(join(PROJECT_ROOT, 'bench', 'results-scale.json'), JSON.stringify(results, null, 2) + '\n');
}

main()
  .then(
    () => 0,
    (err) => {
      if (!aborted) process.stderr.write(`benchmark failed: ${(err as Error)?.stack ?? err}\n`);
      return aborted ? 130 : 1;
    },
  )
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
