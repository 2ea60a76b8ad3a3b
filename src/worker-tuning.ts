// The worker's capacity settings, from the environment (src/worker.ts spreads them into Worker.create): how many
// workflows stay cached between tasks, and how many workflow and activity tasks run at once. Unset values keep
// the engine's defaults below (measured by `npm run bench -- --only scale`, README "Benchmarks").
import type { WorkerOptions } from '@temporalio/worker';

/**
 * Workflows kept in the worker's cache. A run that polls inside its activity sits idle for minutes between
 * tasks, so a cache miss costs one replay of a short history (≈ 20 events); the SDK's default (≈ 2,300 on a
 * 4 GiB heap) lets 10,000 waiting runs grow the worker past 400 MiB.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 500;

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
