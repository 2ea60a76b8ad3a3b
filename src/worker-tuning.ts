// The worker's capacity settings, from the environment (src/worker.ts spreads them into Worker.create): how many
// workflows stay cached between tasks, and how many workflow and activity tasks run at once. Unset values keep
// the engine's defaults below (measured by `npm run bench -- --only scale`, README "Benchmarks").
import type { WorkerOptions } from '@temporalio/worker';

/**
 * Workflows kept in the worker's cache. A run that polls inside its activity needs no workflow task between polls
 * (hours, for a batch), so a cache miss costs one replay of a short history (≈ 20 events) when a step ends, while
 * each cached run holds ≈ 0.3 MiB (its workflow state, pending promises and their stack traces, the core's copy of
 * its history). Measured by `npm run bench -- --only scale` on an idle 2-CPU machine: 1,000 runs waiting peaked at
 * 434 MiB with a cache of 500 and 317 MiB with 100; 10,000 runs at 332 MiB with 100 (the SDK's default, ≈ 2,300 on a
 * 4 GiB heap, grows far past 400 MiB).
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;

function positiveInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0 (got "${raw}")`);
  return n;
}

/** ARAZZO_MAX_CACHED_WORKFLOWS, ARAZZO_MAX_CONCURRENT_WORKFLOW_TASKS, ARAZZO_MAX_CONCURRENT_ACTIVITIES. */
export function workerTuning(): Pick<
  WorkerOptions,
  'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'
> {
  const out: ReturnType<typeof workerTuning> = {
    maxCachedWorkflows: positiveInt('ARAZZO_MAX_CACHED_WORKFLOWS') ?? DEFAULT_MAX_CACHED_WORKFLOWS,
  };
  const tasks = positiveInt('ARAZZO_MAX_CONCURRENT_WORKFLOW_TASKS');
  const activities = positiveInt('ARAZZO_MAX_CONCURRENT_ACTIVITIES');
  if (tasks !== undefined) out.maxConcurrentWorkflowTaskExecutions = tasks;
  if (activities !== undefined) out.maxConcurrentActivityTaskExecutions = activities;
  return out;
}
