// The worker's capacity settings from the environment (src/worker-tuning.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_CACHED_WORKFLOWS, workerTuning } from '../../src/worker-tuning';

const NAMES = ['ARAZZO_MAX_CACHED_WORKFLOWS', 'ARAZZO_MAX_CONCURRENT_WORKFLOW_TASKS', 'ARAZZO_MAX_CONCURRENT_ACTIVITIES'];

function withEnv(values: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
  try {
    for (const n of NAMES) delete process.env[n];
    for (const [k, v] of Object.entries(values)) if (v !== undefined) process.env[k] = v;
    fn();
  } finally {
    for (const n of NAMES) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  }
}

test('unset: the engine default cache size, the SDK defaults for slots', () => {
  withEnv({}, () => assert.deepEqual(workerTuning(), { maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS }));
});

test('set: each variable reaches its worker option; a bad value is refused by name', () => {
  withEnv({ ARAZZO_MAX_CACHED_WORKFLOWS: '0', ARAZZO_MAX_CONCURRENT_WORKFLOW_TASKS: '8', ARAZZO_MAX_CONCURRENT_ACTIVITIES: '2000' }, () =>
    assert.deepEqual(workerTuning(), {
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 8,
      maxConcurrentActivityTaskExecutions: 2000,
    }),
  );
  withEnv({ ARAZZO_MAX_CONCURRENT_ACTIVITIES: '1.5' }, () =>
    assert.throws(() => workerTuning(), /ARAZZO_MAX_CONCURRENT_ACTIVITIES must be a whole number/),
  );
});
