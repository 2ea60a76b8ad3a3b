// npm run bench -- --only scale: how many runs can wait at once. 1,000 and then 10,000 batch-job runs poll a batch
// that never ends (simulator outcome batchPollsToComplete: 1,000,000) at the default poll policy (1 s doubling to
// 60 s, inside one activity through Temporal retries), on one worker process (the real CLI) and a fresh dev server
// per size. Reports the worker's peak RSS and CPU, the server's CPU, poll requests per second, and how late each
// poll came against its schedule: the gap between a batch's retrieves k and k+1 against pollDelayMs(default, k).
// --scale-runs 1000,10000 chooses the sizes; --scale-hold S how long the runs wait after the last one started (150).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ArazzoClient } from '../src/client';
import { DEFAULT_POLL, pollDelayMs } from '../src/core/poll-policy';
import { ARAZZO_DIR, INPUTS_DIR, simulatorServers } from '../src/dev/seeds';
import { startSimulator } from '../src/simulator';
import { startDevServer } from '../src/temporal/dev-server';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../src/worker-tuning';

interface Cell {
  value?: number;
  error?: string;
  skipped?: string;
  note?: string;
}
interface Figure {
  arazzo: Cell;
  reference: Cell;
  details?: Record<string, unknown>;
}
export interface ScaleHelpers {
  figure: (id: string, metric: string, unit: string, target?: { text: string; max: number; inclusive?: boolean }) => Figure;
  log: (line: string) => void;
  short: (err: unknown) => string;
  spawnWorker: (address: string, taskQueue: string, env: Record<string, string>) => Promise<{ pid?: number; stop: () => Promise<void> }>;
  apiKey: string;
  dbDir: string;
  serverTuning: Record<string, string | number>;
}

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SIZES = (arg('--scale-runs') ?? '1000,10000').split(',').map(Number);
const HOLD_S = Number(arg('--scale-hold') ?? 150);
const START_CONCURRENCY = 50;
/**
 * The worker's V8 heap, capped (--scale-heap MiB; 0: Node's default, ≈ 4 GiB here): with the default the heap grows
 * with garbage long before V8 collects it (RSS rose with the polls, and more with a smaller workflow cache, whose
 * misses replay), so RSS measures the GC's laziness, not what the runs hold.
 */
const HEAP_MIB = Number(arg('--scale-heap') ?? 256);
const WORKER_ENV: Record<string, string> = HEAP_MIB
  ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${HEAP_MIB}`.trim() }
  : {};
const RSS_GOAL_MIB = 400;
const LATE_GOAL = 0.1;
const DOC = join(ARAZZO_DIR, 'openai-batch-job.arazzo.yaml');
const batchInputs = JSON.parse(readFileSync(join(INPUTS_DIR, 'openai-batch-job.json'), 'utf8')) as {
  endpoint: string;
  batchInputFile: string;
};
const TICK_S = 100; // USER_HZ: /proc/<pid>/stat counts CPU in 1/100 s

/** CPU seconds (user + system) of a process so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK_S;
}

export function rssMiB(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] : NaN;

/** Every retrieve gap of every batch: how late it came, as a share of the delay it should have had. */
export function pollLateness(
  requests: readonly { method: string; path: string; time: string }[],
  from: number,
  steadyFrom = Infinity,
): { lateness: number[]; lateMs: number[]; polls: number; steady: number[] } {
  const byBatch = new Map<string, number[]>();
  for (const r of requests) {
    if (r.method !== 'GET' || !/^\/v1\/batches\/[^/]+$/.test(r.path)) continue;
    const list = byBatch.get(r.path) ?? [];
    list.push(Date.parse(r.time));
    byBatch.set(r.path, list);
  }
  const lateness: number[] = [];
  const lateMs: number[] = [];
  const steady: number[] = [];
  let polls = 0;
  for (const times of byBatch.values()) {
    polls += times.filter((t) => t >= from).length;
    for (let k = 1; k < times.length; k++) {
      const expected = pollDelayMs(DEFAULT_POLL, k);
      const late = times[k] - times[k - 1] - expected;
      lateMs.push(late);
      lateness.push(late / expected);
      if (times[k - 1] >= steadyFrom) steady.push(late / expected);
    }
  }
  return { lateness, lateMs, polls, steady };
}

async function startAll(arazzo: ArazzoClient, n: number, servers: Record<string, string>, stamp: number): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const inputs = { apiKey: { $secret: 'OPENAI_API_KEY' }, endpoint: batchInputs.endpoint, batchInputFile: batchInputs.batchInputFile };
  await Promise.all(
    Array.from({ length: START_CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        try {
          await arazzo.start({ document: DOC, inputs, servers, id: `bench-scale-${stamp}-${i}` });
        } catch (err) {
          failures.push(String((err as Error).message));
        }
      }
    }),
  );
  return failures;
}

async function measureSize(n: number, h: ScaleHelpers): Promise<void> {
  const label = n.toLocaleString('en');
  const last = n === Math.max(...SIZES);
  const f = {
    rss: h.figure(
      `scaleWorkerPeakRss@${n}`,
      `worker peak RSS, ${label} runs waiting`,
      'MiB',
      last ? { text: `≤ ${RSS_GOAL_MIB} MiB`, max: RSS_GOAL_MIB, inclusive: true } : undefined,
    ),
    late: h.figure(
      `scalePollLatenessMax@${n}`,
      `  latest poll against its schedule`,
      '%',
      last ? { text: `≤ ${LATE_GOAL * 100} %`, max: LATE_GOAL * 100, inclusive: true } : undefined,
    ),
    late99: h.figure(`scalePollLatenessP99@${n}`, `  poll lateness p99`, '%'),
    steady: h.figure(`scalePollLatenessSteady@${n}`, `  latest poll once all runs had started (+7 s)`, '%'),
    rate: h.figure(`scalePollRate@${n}`, `  poll requests per second (steady, last 60 s)`, 'req/s'),
    workerCpu: h.figure(`scaleWorkerCpu@${n}`, `  worker CPU, whole phase`, 'CPU-s'),
    serverCpu: h.figure(`scaleServerCpu@${n}`, `  server CPU, whole phase`, 'CPU-s'),
    start: h.figure(`scaleStartSeconds@${n}`, `  time to start the ${label} runs`, 's'),
    inFlight: h.figure(`scaleInFlight@${n}`, `  runs polling at the end`, 'runs'),
  };
  for (const x of Object.values(f)) x.reference.skipped = 'not run';
  const dir = mkdtempSync(join(h.dbDir, 'arazzo-bench-scale-'));
  const stops: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const server = await startDevServer({ port: 0, headless: true, dbFile: join(dir, 'temporal.db'), dynamicConfig: h.serverTuning });
    stops.unshift(() => server.stop());
    const sim = await startSimulator({ port: 0, timing: 'fast', apiKeys: [h.apiKey], outcome: { batchPollsToComplete: 1_000_000 } });
    stops.unshift(() => sim.close());
    const connection = await Connection.connect({ address: server.address });
    stops.unshift(() => connection.close());
    const arazzo = ArazzoClient.fromClient(new Client({ connection }), { taskQueue: `bench-scale-${n}` });
    const worker = await h.spawnWorker(server.address, `bench-scale-${n}`, WORKER_ENV);
    stops.unshift(() => worker.stop());
    const wpid = worker.pid as number;
    const spid = server.process?.pid as number;
    const cpu0 = { w: cpuSeconds(wpid), s: cpuSeconds(spid) };
    let peak = rssMiB(wpid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(wpid))), 1000);
    stops.unshift(() => clearInterval(sampler));
    const t0 = Date.now();
    const failures = await startAll(arazzo, n, { openaiApi: simulatorServers(sim.url).openaiApi }, t0);
    const started = Date.now();
    h.log(
      `scale ${label}: started in ${((started - t0) / 1000).toFixed(1)} s (${failures.length} failed), worker RSS ${rssMiB(wpid)} MiB; waiting ${HOLD_S} s`,
    );
    for (let waited = 0; waited < HOLD_S; waited += 30) {
      await sleep(Math.min(30, HOLD_S - waited) * 1000);
      h.log(`scale ${label}: +${waited + 30} s, worker RSS ${rssMiB(wpid)} MiB (peak ${peak}), ${sim.requests.length} simulator requests`);
    }
    const end = Date.now();
    const cpu = { w: cpuSeconds(wpid) - cpu0.w, s: cpuSeconds(spid) - cpu0.s };
    // steady: the gaps that began once every run had started and its first three polls were due (1 + 2 + 4 s)
    const { lateness, lateMs, polls, steady } = pollLateness(sim.requests, end - 60_000, started + 7_000);
    const polling = new Set(
      sim.requests
        .filter((r) => r.method === 'GET' && /^\/v1\/batches\/[^/]+$/.test(r.path) && Date.parse(r.time) >= end - 65_000)
        .map((r) => r.path),
    ).size;
    const pct = (x: number) => Math.round(x * 1000) / 10;
    f.rss.arazzo.value = peak;
    f.late.arazzo.value = pct(Math.max(...lateness));
    f.late99.arazzo.value = pct(percentile(lateness, 0.99));
    f.steady.arazzo.value = steady.length ? pct(Math.max(...steady)) : undefined;
    f.rate.arazzo.value = Math.round((polls / 60) * 10) / 10;
    f.workerCpu.arazzo.value = Math.round(cpu.w * 10) / 10;
    f.serverCpu.arazzo.value = Math.round(cpu.s * 10) / 10;
    f.start.arazzo.value = Math.round((started - t0) / 100) / 10;
    f.inFlight.arazzo.value = polling;
    if (failures.length) f.inFlight.arazzo.note = `${failures.length} starts failed: ${failures[0].slice(0, 100)}`;
    f.rss.details = {
      arazzo: {
        maxCachedWorkflows: Number(process.env.ARAZZO_MAX_CACHED_WORKFLOWS || DEFAULT_MAX_CACHED_WORKFLOWS),
        endRssMiB: rssMiB(wpid),
        gaps: lateness.length,
        lateOver10Percent: lateness.filter((x) => x > LATE_GOAL).length,
        steadyGaps: steady.length,
        steadyLateOver10Percent: steady.filter((x) => x > LATE_GOAL).length,
        steadyP99: pct(percentile(steady, 0.99)),
        lateMsMax: Math.max(...lateMs),
        lateMsP99: percentile(lateMs, 0.99),
        holdSeconds: HOLD_S,
        heapMiB: HEAP_MIB || 'node default',
        startFailures: failures.length,
      },
    };
    h.log(
      `scale ${label}: peak RSS ${peak} MiB, worker ${cpu.w.toFixed(1)} CPU-s, server ${cpu.s.toFixed(1)} CPU-s, ${f.rate.arazzo.value} polls/s, ` +
        `lateness max ${f.late.arazzo.value} % (${Math.max(...lateMs)} ms) p99 ${f.late99.arazzo.value} %, steady max ${f.steady.arazzo.value} % (${steady.length} gaps), ${polling} runs polling`,
    );
  } catch (err) {
    for (const x of Object.values(f)) x.arazzo.error ??= h.short(err);
    h.log(`scale ${label} failed: ${h.short(err)}`);
  } finally {
    for (const stop of stops) await Promise.resolve(stop()).catch(() => undefined);
  }
}

export async function measureScale(h: ScaleHelpers): Promise<string[]> {
  for (const n of SIZES) await measureSize(n, h);
  return [
    `scale: ${SIZES.map((n) => n.toLocaleString('en')).join(' then ')} openai-batch-job runs on one worker process (\`worker\`, ARAZZO_MAX_CACHED_WORKFLOWS=${process.env.ARAZZO_MAX_CACHED_WORKFLOWS || DEFAULT_MAX_CACHED_WORKFLOWS}${HEAP_MIB ? `, NODE_OPTIONS=--max-old-space-size=${HEAP_MIB}` : ''}) and a fresh dev server each, started ${START_CONCURRENCY} at a time, poll a batch that never ends at the default policy (1 s doubling to 60 s) for ${HOLD_S} s after the last start. Lateness: each gap between a batch's retrieves against the policy's delay; the poll rate counts the last 60 s. The reference is not run at this scale.`,
  ];
}
