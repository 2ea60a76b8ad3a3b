// Start latency (npm run bench; -- --only latency): how long one start() takes when 1, 50 or 200 start at once,
// p50 and p99, arazzo-temporal's ArazzoClient.start (its compile cached after the first) next to the reference's
// client.workflow.start. Each round's runs are waited for before the next round, so a round's starts compete only
// with each other (at concurrency 1, each run before the next start). The goal: each figure ≤ 1.10× the reference's.
import type { WorkflowHandle } from '@temporalio/client';

interface Cell {
  value?: number;
  error?: string;
}
interface Figure {
  arazzo: Cell;
  reference: Cell;
  target?: { text: string; max: number; inclusive?: boolean };
  details?: Record<string, unknown>;
}
type Impl = 'arazzo' | 'reference';
export interface LatencyHelpers {
  figure: (id: string, metric: string, unit: string) => Figure;
  log: (line: string) => void;
  short: (err: unknown) => string;
  /** start one run of the batch job; resolves with its handle once start() returned */
  start: (impl: Impl, id: string) => Promise<WorkflowHandle>;
  resultWithin: (handle: WorkflowHandle, ms: number) => Promise<unknown>;
}

export const START_CONCURRENCY = [1, 50, 200];
/** starts at concurrency 1: sequential, this many */
const SINGLE_STARTS = 20;
export const START_GOAL_RATIO = 1.1;

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)];
const ms1 = (x: number) => Math.round(x * 10) / 10;

async function round(h: LatencyHelpers, impl: Impl, c: number): Promise<number[]> {
  const stamp = Date.now();
  const times: number[] = [];
  const handles: WorkflowHandle[] = [];
  const one = async (i: number) => {
    const t0 = performance.now();
    handles.push(await h.start(impl, `bench-latency-${impl}-${c}-${stamp}-${i}`));
    times.push(performance.now() - t0);
  };
  // one at a time: each run ends before the next start, so a start competes with nothing (not even the runs before it)
  if (c === 1)
    for (let i = 0; i < SINGLE_STARTS; i++) {
      await one(i);
      await h.resultWithin(handles[i], 300_000).catch(() => undefined);
    }
  else await Promise.all(Array.from({ length: c }, (_, i) => one(i)));
  await Promise.all(handles.map((x) => h.resultWithin(x, 300_000).catch(() => undefined)));
  return times;
}

/** The goal of an arazzo-temporal figure: ≤ 1.10× the reference's, once both are measured. */
export function relativeTarget(f: Figure): void {
  const r = f.reference.value;
  if (r !== undefined)
    f.target = {
      text: `≤ ${START_GOAL_RATIO.toFixed(2)}× reference (${ms1(r * START_GOAL_RATIO)})`,
      max: r * START_GOAL_RATIO,
      inclusive: true,
    };
}

export async function measureLatency(h: LatencyHelpers, rounds = 3): Promise<string[]> {
  for (const c of START_CONCURRENCY) {
    const p50 = h.figure(`startP50@${c}`, `start latency p50, ${c} concurrent start${c > 1 ? 's' : ''}`, 'ms');
    const p99 = h.figure(`startP99@${c}`, `start latency p99, ${c} concurrent start${c > 1 ? 's' : ''}`, 'ms');
    const samples: Record<Impl, number[]> = { arazzo: [], reference: [] };
    // rounds alternate which implementation goes first, so a drift in the machine's load hits both; the percentiles
    // are of every round's starts together (one round's figures moved by up to 2x between runs of the bench)
    for (let r = 0; r < rounds; r++)
      for (const impl of (r % 2 ? ['reference', 'arazzo'] : ['arazzo', 'reference']) as Impl[]) {
        if (p50[impl].error) continue;
        try {
          const times = await round(h, impl, c);
          samples[impl].push(...times);
          h.log(`${impl}: ${c} concurrent, round ${r + 1} → p50 ${ms1(percentile(times, 0.5))} ms, p99 ${ms1(percentile(times, 0.99))} ms`);
        } catch (err) {
          p50[impl].error = p99[impl].error = h.short(err);
        }
      }
    for (const impl of ['arazzo', 'reference'] as Impl[]) {
      const times = samples[impl];
      if (p50[impl].error || !times.length) continue;
      p50[impl].value = ms1(percentile(times, 0.5));
      p99[impl].value = ms1(percentile(times, 0.99));
      p50.details = { ...p50.details, [impl]: { samples: times.length, maxMs: ms1(Math.max(...times)) } };
    }
    relativeTarget(p50);
    relativeTarget(p99);
  }
  return [
    `start latency: ArazzoClient.start (prepare from the compiled-plan cache, check the inputs, start) next to client.workflow.start of the reference, on the same dev server; ${rounds} round${rounds > 1 ? 's' : ''} of each, alternating, the percentiles over all their starts: ${SINGLE_STARTS} starts one at a time (each run ends before the next start), then 50 and 200 at once (each round's runs finish before the next).`,
  ];
}
