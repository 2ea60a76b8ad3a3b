// Run requests for the seeds (ours in arazzo/, or the user's pristine ones in ../shared/seeds) aimed at
// the simulator, and small readers of the simulator's request log.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import type { ArazzoClient } from '../../src/client';
import type { RunRequest } from '../../src/client';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { seedOverlays } from '../../src/dev/seeds';
import type { RequestLogEntry, Simulator } from '../../src/simulator';
import { ANTHROPIC_KEY, OPENAI_KEY } from './stack';

export type SeedName = 'openai-batch-job' | 'openai-download-batch-results' | 'openai-fine-tuning-job' | 'anthropic-batch-create-poll-results';

export const SHARED_SEEDS = join(PROJECT_ROOT, '..', 'shared', 'seeds');
export const OUR_OPENAPI = {
  openaiApi: join(PROJECT_ROOT, 'openapi', 'openai-openapi-master.yml'),
  messageBatchesApi: join(PROJECT_ROOT, 'openapi', 'anthropic-message-batches-api-openapi.yml'),
};

export const sourceOf = (name: SeedName): 'openaiApi' | 'messageBatchesApi' => (name.startsWith('anthropic') ? 'messageBatchesApi' : 'openaiApi');

export function seedInputs(name: SeedName): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'inputs', `${name}.json`), 'utf8'));
}

/**
 * A run of one of the seeds (arazzo/, with our overlay: x-temporal-cancel, x-temporal-reconcile) against `baseUrl` (the simulator, or a
 * proxy in front of it). Polls fast; engine options and extra inputs may be given.
 */
export function seedRun(name: SeedName, baseUrl: string, extra: Partial<RunRequest> & { inputs?: Record<string, unknown> } = {}): RunRequest {
  const { inputs, ...rest } = extra;
  return {
    document: join(PROJECT_ROOT, 'arazzo', `${name}.arazzo.yaml`),
    inputs: { ...seedInputs(name), ...inputs },
    servers: { [sourceOf(name)]: `${baseUrl}/v1` },
    poll: { initialIntervalMs: 200, maxIntervalMs: 400 },
    overlays: seedOverlays(name),
    ...rest,
  };
}

/** The same, from the user's document in ../shared/seeds, whose ../openapi link does not resolve there; no overlay unless given. */
export function pristineSeedRun(name: SeedName, baseUrl: string, extra: Partial<RunRequest> & { inputs?: Record<string, unknown> } = {}): RunRequest {
  const source = sourceOf(name);
  return {
    ...seedRun(name, baseUrl, { overlays: undefined, ...extra }),
    document: join(SHARED_SEEDS, `${name}.arazzo.yaml`),
    sources: { [source]: OUR_OPENAPI[source] },
  };
}

/** Log entries with this method whose path matches. */
export function requestsTo(sim: Simulator, method: string, path: RegExp): RequestLogEntry[] {
  return sim.requests.filter((r) => r.method === method && path.test(r.path));
}

export const at = (e: RequestLogEntry): number => Date.parse(e.time);

/**
 * A create request the simulator has received, processed, and not yet answered (held open by holdNextCreate): its
 * answer is sent when the hold ends, whether or not the client is still there.
 */
export function createInFlight(sim: Simulator, path: RegExp): RequestLogEntry | undefined {
  return requestsTo(sim, 'POST', path).find((r) => r.fault === 'slow_after_commit' && r.status === null);
}

/** Hold the next create request to `path` open at the simulator: processed at once, answered `ms` later. */
export function holdNextCreate(sim: Simulator, path: string, ms: number): void {
  sim.setFaults({ rules: [{ kind: 'slow_after_commit', method: 'POST', path, times: 1, delayMs: ms }] });
}

/** Milliseconds between consecutive entries. */
export function gaps(entries: { at: number }[] | RequestLogEntry[]): number[] {
  const times = (entries as ({ at: number } | RequestLogEntry)[]).map((e) => ('at' in e ? e.at : at(e)));
  return times.slice(1).map((t, i) => t - times[i]);
}

/** The run ended as cancelled: WorkflowFailedError caused by a CancelledFailure. */
export function assertCancelled(err: unknown): true {
  assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${err}`);
  assert.ok(err.cause instanceof CancelledFailure, `expected a CancelledFailure cause, got ${err.cause?.constructor.name}: ${err.cause?.message}`);
  return true;
}

/** Neither API key appears in `text`. */
export function assertNoKey(text: string): void {
  assert.ok(!text.includes(OPENAI_KEY), `the OpenAI key leaked: ${text}`);
  assert.ok(!text.includes(ANTHROPIC_KEY), `the Anthropic key leaked: ${text}`);
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A run's history as searchable text: its JSON plus every base64 payload decoded (payload data is base64 in JSON). */
/** A history as stored (no codec), as searchable text: one helper for every test (test/helpers/history.ts). */
export { rawHistoryText as historyText } from './history';
