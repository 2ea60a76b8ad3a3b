// Lifecycle durations. Each object copies the durations in force when it is created (so setTiming() never
// rewrites the history of an object already running); cancel delays are read when the cancel arrives.
export interface SimulatorTiming {
  /** OpenAI batch: validating → in_progress. */
  batchValidatingMs: number;
  /** OpenAI batch: in_progress → finalizing (or → expired when the batch is set to expire). */
  batchInProgressMs: number;
  /** OpenAI batch: finalizing → completed. */
  batchFinalizingMs: number;
  /** OpenAI batch: cancelling → cancelled. */
  batchCancellingMs: number;
  /** Fine-tuning: validating_files → queued (or → failed for a bad training file). */
  fineTuneValidatingMs: number;
  /** Fine-tuning: queued → running. */
  fineTuneQueuedMs: number;
  /** Fine-tuning: running → succeeded | failed. */
  fineTuneRunningMs: number;
  /** Anthropic message batch: in_progress → ended. */
  messageBatchInProgressMs: number;
  /** Anthropic message batch: canceling → ended. */
  messageBatchCancelingMs: number;
}

export type TimingPreset = 'fast' | 'demo';

export const TIMING_PRESETS: Readonly<Record<TimingPreset, Readonly<SimulatorTiming>>> = {
  /** For tests: every lifecycle finishes within about 1.5 s; each phase lasts ≥ 250 ms so polls observe it. */
  fast: {
    batchValidatingMs: 250,
    batchInProgressMs: 600,
    batchFinalizingMs: 250,
    batchCancellingMs: 300,
    fineTuneValidatingMs: 250,
    fineTuneQueuedMs: 250,
    fineTuneRunningMs: 700,
    messageBatchInProgressMs: 800,
    messageBatchCancelingMs: 300,
  },
  /** For demos: each lifecycle takes about a minute, long enough to watch polls and restart a worker. */
  demo: {
    batchValidatingMs: 8_000,
    batchInProgressMs: 40_000,
    batchFinalizingMs: 10_000,
    batchCancellingMs: 8_000,
    fineTuneValidatingMs: 8_000,
    fineTuneQueuedMs: 10_000,
    fineTuneRunningMs: 40_000,
    messageBatchInProgressMs: 55_000,
    messageBatchCancelingMs: 8_000,
  },
};

export type TimingInput = TimingPreset | Partial<SimulatorTiming>;

/** A preset name, or a partial override applied on top of `base`. */
export function resolveTiming(input: TimingInput | undefined, base: SimulatorTiming): SimulatorTiming {
  if (input === undefined) return { ...base };
  if (typeof input === 'string') {
    const preset = TIMING_PRESETS[input];
    if (!preset) throw new Error(`unknown timing preset "${input}" (expected fast or demo)`);
    return { ...preset };
  }
  const merged = { ...base, ...input };
  for (const [k, v] of Object.entries(merged)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`timing.${k} must be a number ≥ 0`);
  }
  return merged;
}

/** Unix seconds, as OpenAI reports times. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** RFC 3339, as Anthropic reports times. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
