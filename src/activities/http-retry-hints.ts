// Retry hints of an HTTP response: how long the server asked the client to wait. The engine never retries earlier
// than any hint that applies. Every value is checked here, where it is made: a hint is a finite number of ms ≥ 0,
// capped at MAX_HINT_MS; a value that cannot be read (garbage, NaN, negative) is no hint at all.
//
// Shapes, with their sources:
// - `retry-after-ms` (float ms): sent by OpenAI on 429; read first by the official SDKs
//   (openai/openai-node src/client.ts `retryRequest`, anthropics/anthropic-sdk-typescript src/client.ts).
// - `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date): Anthropic sends seconds
//   (https://docs.anthropic.com/en/api/rate-limits, "Response headers"); OpenAI sends seconds on 429.
// - `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens` (OpenAI, Go-style durations such as `1s`, `6m0s`,
//   `120ms`): https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers.
// - `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset` (RFC 3339 timestamps):
//   https://docs.anthropic.com/en/api/rate-limits. The one that applies is the limit whose `-remaining` is 0
//   (the rule anthropics/anthropic-sdk-typescript#357 proposes); when none says 0, the latest reset.
// - `x-should-retry: true|false` (both SDKs): false is final, true makes any status transient.
// The rate-limit reset headers come on every response; they are a hint only on a 429.

/** A hint longer than this is taken as this: a day. */
export const MAX_HINT_MS = 24 * 3_600_000;

type Headers = Record<string, string | undefined>;

function valid(ms: number): number | undefined {
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(Math.ceil(ms), MAX_HINT_MS);
}

/** `retry-after-ms`: a float number of ms. */
export function parseRetryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return valid(Number(value));
}

/** `Retry-After`: delay-seconds, or an HTTP date (a date in the past means now). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return valid(Number(value) * 1000);
  // IMF-fixdate, RFC 850 and asctime forms all begin with a day name and carry hh:mm:ss
  if (!/^\s*[A-Za-z]{3,9},?\s/.test(value) || !/\d{2}:\d{2}:\d{2}/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : valid(Math.max(0, at - now));
}

const GO_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** A Go `time.Duration` string as OpenAI sends it: `6m0s`, `1s`, `120ms`, `1m30.5s`, `1h2m3s`. */
export function parseGoDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '0') return 0;
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, , unit] of text.matchAll(/(\d+(\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) ms += Number(n) * GO_UNITS[unit];
  return valid(ms);
}

/** An RFC 3339 timestamp, as the time left until it (0 when it has passed). */
export function parseRfc3339Delay(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || !/^\s*\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\s*$/.test(value)) return undefined;
  const at = Date.parse(value.trim());
  return Number.isNaN(at) ? undefined : valid(Math.max(0, at - now));
}

const ANTHROPIC_LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'];
const OPENAI_LIMITS = ['requests', 'tokens'];

/** Of a family of rate-limit resets, those whose limit is used up (remaining 0), else all; the latest of them. */
function resetOf(
  limits: string[],
  reset: (l: string) => number | undefined,
  remaining: (l: string) => string | undefined,
): number | undefined {
  const known = limits.map((l) => ({ ms: reset(l), hit: remaining(l)?.trim() === '0' })).filter((r) => r.ms !== undefined) as {
    ms: number;
    hit: boolean;
  }[];
  if (!known.length) return undefined;
  const applying = known.some((r) => r.hit) ? known.filter((r) => r.hit) : known;
  return Math.max(...applying.map((r) => r.ms));
}

export interface RetryHint {
  /** the wait the response asks for, in ms (the longest hint that applies), or undefined when it gives none */
  delayMs?: number;
  /** `x-should-retry: false`: the server says a retry will not help */
  final: boolean;
  /** `x-should-retry: true`: the server says a retry will help, whatever the status */
  retry: boolean;
}

/** The retry hints of a response (header names lower-case). */
export function retryHint(status: number, headers: Headers, now = Date.now()): RetryHint {
  const hints = [parseRetryAfterMs(headers['retry-after-ms']), parseRetryAfter(headers['retry-after'], now)];
  if (status === 429) {
    hints.push(
      resetOf(
        OPENAI_LIMITS,
        (l) => parseGoDuration(headers[`x-ratelimit-reset-${l}`]),
        (l) => headers[`x-ratelimit-remaining-${l}`],
      ),
      resetOf(
        ANTHROPIC_LIMITS,
        (l) => parseRfc3339Delay(headers[`anthropic-ratelimit-${l}-reset`], now),
        (l) => headers[`anthropic-ratelimit-${l}-remaining`],
      ),
    );
  }
  const given = hints.filter((h): h is number => h !== undefined);
  const shouldRetry = headers['x-should-retry']?.trim().toLowerCase();
  return { delayMs: given.length ? Math.max(...given) : undefined, final: shouldRetry === 'false', retry: shouldRetry === 'true' };
}
