// Poll policies: the defaults, merging layers (absent fields never override), and the checks a policy must
// pass before it reaches Temporal (a NaN or negative delay there takes the worker down).
import type { PollPolicy } from './types';

export const DEFAULT_POLL: PollPolicy = { initialIntervalMs: 1000, maxIntervalMs: 60_000, backoff: 2, timeoutMs: 25 * 3_600_000 };

/** `base` with the fields of `override` that are set; undefined (an absent flag or option) keeps the base value. */
export function withDefined<T extends object>(base: T, override: Partial<T> | undefined): T {
  const out = { ...base };
  for (const [key, value] of Object.entries(override ?? {})) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

/** What is wrong with a policy, or undefined: every field finite, intervals positive, maxInterval ≥ interval. */
export function pollPolicyProblem(p: PollPolicy): string | undefined {
  const bad: string[] = [];
  if (!(Number.isFinite(p.initialIntervalMs) && p.initialIntervalMs > 0))
    bad.push(`interval must be a positive duration (got ${p.initialIntervalMs} ms)`);
  if (!(Number.isFinite(p.maxIntervalMs) && p.maxIntervalMs > 0))
    bad.push(`maxInterval must be a positive duration (got ${p.maxIntervalMs} ms)`);
  else if (p.maxIntervalMs < p.initialIntervalMs)
    bad.push(`maxInterval (${p.maxIntervalMs} ms) must not be shorter than interval (${p.initialIntervalMs} ms)`);
  if (!(Number.isFinite(p.backoff) && p.backoff >= 1)) bad.push(`backoff must be a number >= 1 (got ${p.backoff})`);
  if (!(Number.isFinite(p.timeoutMs) && p.timeoutMs >= 0)) bad.push(`timeout must be a duration, 0 for none (got ${p.timeoutMs} ms)`);
  return bad.length ? bad.join('; ') : undefined;
}

/** The wait before poll `n` (1-based): interval × backoff^(n−1), capped at maxInterval; always a finite number ≥ 0. */
export function pollDelayMs(p: PollPolicy, n: number): number {
  const delay = Math.min(p.initialIntervalMs * p.backoff ** Math.max(0, n - 1), p.maxIntervalMs);
  return Number.isFinite(delay) && delay >= 0 ? delay : DEFAULT_POLL.maxIntervalMs;
}

/** A wait handed to Temporal (sleep, timeouts): `ms` when it is finite and ≥ 0, else `fallback`. */
export function finiteDelayMs(ms: number, fallback = 0): number {
  return Number.isFinite(ms) && ms >= 0 ? ms : fallback;
}
