// The simulator's public shape: its options, its request log entries, and the handle startSimulator returns.
import type { MessageBatch } from './anthropic-batches';
import type { Provider } from './errors';
import type { FaultKind, FaultOptions } from './faults';
import type { OpenAIBatch } from './openai-batches';
import type { OpenAIFile } from './openai-files';
import type { FineTuningJob } from './openai-fine-tuning';
import type { OutcomeOverrides } from './outcomes';
import type { TimingInput } from './timing';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted API keys. Default: env SIMULATOR_API_KEYS (comma-separated), else any non-empty key. */
  apiKeys?: string[];
  /** A preset ('fast' for tests, 'demo' ≈ a minute per lifecycle; default 'demo') or durations over 'demo'. */
  timing?: TimingInput;
  faults?: FaultOptions;
  /** Server-wide forced outcomes (see outcomes.ts for the per-request triggers). */
  outcome?: OutcomeOverrides;
  /**
   * Replay the stored response for a repeated `Idempotency-Key` (see idempotency.ts). Default false: neither
   * OpenAI nor Anthropic documents honouring that header (no mention in the OpenAI API reference or the Anthropic
   * API reference; notes/providers.md §1), so by default a retried create creates again, as it would there.
   */
  honourIdempotencyKey?: boolean;
  /** Receives one line per request. Never includes credentials. */
  log?: (line: string) => void;
}

export interface RequestLogEntry {
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  path: string;
  /** The raw query string, without '?' ('' when none). */
  query: string;
  provider: Provider;
  requestId: string;
  idempotencyKey: string | null;
  /** Status sent; null when the connection was dropped without a response. */
  status: number | null;
  /** The injected fault, if any. */
  fault: FaultKind | 'drop_after_create' | null;
  /** True when the request was processed (a create stored its object), whatever was sent back. */
  committed: boolean;
  /** True when the response was an idempotent replay. */
  replayed: boolean;
  durationMs: number;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:PORT — OpenAI base URL is `${url}/v1`, Anthropic base URL is `url`. */
  url: string;
  port: number;
  /** Every request so far, oldest first (live array; emptied by reset()). */
  readonly requests: readonly RequestLogEntry[];
  /** Number of logged requests with this method whose path matches (a string must match exactly). */
  count(method: string, path: RegExp | string): number;
  /** Forgets all objects, the request log and stored idempotent responses; keeps timing, faults and outcomes. */
  reset(): void;
  /** Current objects, as the API would return them. */
  state: {
    files(): OpenAIFile[];
    batches(): OpenAIBatch[];
    fineTuningJobs(): FineTuningJob[];
    messageBatches(): MessageBatch[];
  };
  /** Applies to objects created afterwards (and to cancels requested afterwards). A partial merges over the current timing. */
  setTiming(timing: TimingInput): void;
  /** Replaces the fault configuration (rule counters, seed and dropAfterCreate start over). */
  setFaults(faults: FaultOptions): void;
  setOutcome(outcome: OutcomeOverrides): void;
  /** Turns replaying of repeated Idempotency-Keys on or off (see SimulatorOptions.honourIdempotencyKey). */
  setHonourIdempotencyKey(honour: boolean): void;
  close(): Promise<void>;
}
