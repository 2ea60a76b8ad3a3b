// Injected faults. Rules are checked in order for every authenticated request to a known route; a rule fires
// with probability `rate` (seeded, so runs repeat exactly) at most `times` times. `slow` rules add delay and
// let the request continue; the first other rule that fires decides the response.
//
//   kind                OpenAI                                        Anthropic
//   rate_limit          429 rate_limit_exceeded                       429 rate_limit_error
//                       headers: see `hint` below
//   insufficient_quota  429 insufficient_quota, x-should-retry: false  429 rate_limit_error with
//                                                                     details.error_code enforced_spend_limit_reached
//   server_error        500 server_error                              500 api_error
//   overloaded          503 server_error                              529 overloaded_error
//   slow                responds normally after delayMs (the request is held open before it is processed)
//   reset               the socket is destroyed before the request is processed
// After commit — the request IS processed (a create creates its object), then:
//   lost_response       the socket is destroyed without a response
//   error_after_commit  500 (server_error / api_error), as if the server failed after storing the object
//   slow_after_commit   the response is sent delayMs later (past an activity's start-to-close timeout)
//
// rate_limit `hint` — which retry hints the 429 carries:
//   'provider' (default)  what each provider sends. OpenAI: only x-ratelimit-{limit,remaining,reset}-{requests,tokens},
//                         resets as Go durations (`1s`, `6m0s`, `120ms`), no retry-after (OpenAI rate-limit guide,
//                         https://platform.openai.com/docs/guides/rate-limits "Rate limits in headers"; notes §6).
//                         Anthropic: retry-after in whole seconds plus anthropic-ratelimit-{requests,tokens,
//                         input-tokens,output-tokens}-{limit,remaining,reset}, resets as RFC 3339
//                         (https://docs.anthropic.com/en/api/rate-limits "Response headers"; notes §6).
//   'retry-after-ms'      retry-after (s), retry-after-ms, x-should-retry: true (+ the provider's rate-limit headers);
//                         the OpenAI SDK reads retry-after-ms (openai-node src/client.ts retryRequest)
//   'none'                no hint at all: no retry-after and no rate-limit headers, only the error body
// `limit` ('requests' default, or 'tokens') is the limit that was hit: its remaining is 0 and its reset is the
// wait; the other limit has room left and resets sooner, so a reader must take the reset of the limit hit.
//
// dropAfterCreate: n — the next n successful create calls (POST /v1/files, /v1/batches, /v1/fine_tuning/jobs,
// /v1/messages/batches) are processed and stored, then the socket is destroyed without a response (the same as
// n `lost_response` rules on the create routes).
import { ApiError, type Provider } from './errors';
import { seededRandom } from './ids';
import { rfc3339 } from './timing';

export type FaultKind =
  | 'rate_limit'
  | 'insufficient_quota'
  | 'server_error'
  | 'overloaded'
  | 'slow'
  | 'reset'
  | 'lost_response'
  | 'error_after_commit'
  | 'slow_after_commit';

/** Faults that let the request be processed first. */
export const AFTER_COMMIT: readonly FaultKind[] = ['lost_response', 'error_after_commit', 'slow_after_commit'];

export type RateLimitHint = 'provider' | 'retry-after-ms' | 'none';

export interface FaultRule {
  kind: FaultKind;
  /** Only requests with this method (default: any). */
  method?: string;
  /** Only paths matching this pattern; a string is used as a RegExp source (default: any). */
  path?: RegExp | string;
  /** Probability in [0, 1] that a matching request is hit (default 1). */
  rate?: number;
  /** Fire at most this many times (default: unlimited). */
  times?: number;
  /** rate_limit: the wait announced by the hints (default 1000). */
  retryAfterMs?: number;
  /** rate_limit: which hint headers the 429 carries (default 'provider'). */
  hint?: RateLimitHint;
  /** rate_limit: the limit that was hit (default 'requests'). */
  limit?: 'requests' | 'tokens';
  /** slow, slow_after_commit: added latency (default 2000). */
  delayMs?: number;
}

export interface FaultOptions {
  /** Seed for the rate draws; without one, Math.random is used. */
  seed?: number;
  rules?: FaultRule[];
  dropAfterCreate?: number;
}

export interface FaultDecision {
  delayMs: number;
  /** The rule that decides the response instead of processing, or null to process the request. */
  fault: FaultRule | null;
  /** A rule that applies once the request has been processed (lost_response, error_after_commit, slow_after_commit). */
  afterCommit: FaultRule | null;
}

export class FaultInjector {
  private readonly rules: { rule: FaultRule; path: RegExp | null; fired: number }[];
  private readonly random: () => number;
  private dropsLeft: number;

  constructor(opts: FaultOptions = {}) {
    this.rules = (opts.rules ?? []).map((rule) => ({
      rule,
      path: rule.path === undefined ? null : typeof rule.path === 'string' ? new RegExp(rule.path) : rule.path,
      fired: 0,
    }));
    this.random = opts.seed === undefined ? Math.random : seededRandom(opts.seed);
    this.dropsLeft = opts.dropAfterCreate ?? 0;
  }

  decide(method: string, path: string): FaultDecision {
    let delayMs = 0;
    let afterCommit: FaultRule | null = null;
    for (const r of this.rules) {
      const { rule } = r;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (r.path !== null && !r.path.test(path)) continue;
      if (rule.times !== undefined && r.fired >= rule.times) continue;
      const rate = rule.rate ?? 1;
      if (rate < 1 && this.random() >= rate) continue;
      if (AFTER_COMMIT.includes(rule.kind)) {
        if (afterCommit !== null) continue; // one after-commit fault per request; a later rule keeps its turn
        r.fired += 1;
        afterCommit = rule;
        continue;
      }
      r.fired += 1;
      if (rule.kind !== 'slow') return { delayMs, fault: rule, afterCommit: null };
      delayMs += rule.delayMs ?? 2000;
    }
    return { delayMs, fault: null, afterCommit };
  }

  /** True (and one fewer left) when this create's connection should be dropped after processing. */
  takeDrop(): boolean {
    if (this.dropsLeft <= 0) return false;
    this.dropsLeft -= 1;
    return true;
  }
}

/** The error and headers an injected fault answers with (not for slow/reset). */
export function faultError(provider: Provider, rule: FaultRule, now: number): { error: ApiError; headers: Record<string, string> } {
  switch (rule.kind) {
    case 'rate_limit': {
      const ms = rule.retryAfterMs ?? 1000;
      const hint = rule.hint ?? 'provider';
      const headers: Record<string, string> = hint === 'none' ? {} : rateLimitHeaders(provider, rule.limit ?? 'requests', ms, now);
      if (hint === 'retry-after-ms') Object.assign(headers, { 'retry-after-ms': String(ms), 'x-should-retry': 'true' });
      if (hint === 'retry-after-ms' || (hint === 'provider' && provider === 'anthropic'))
        headers['retry-after'] = String(Math.max(1, Math.ceil(ms / 1000)));
      if (provider === 'openai') {
        // message shape: OpenAI 429 bodies (notes §6, "message says how long to wait")
        const message = `Rate limit reached for gpt-4o-mini in organization sim-org on ${rule.limit === 'tokens' ? 'tokens per min (TPM): Limit 200000, Used 200000, Requested 1000' : 'requests per min (RPM): Limit 60, Used 60, Requested 1'}. Please try again in ${goDuration(ms)}.`;
        return { headers, error: new ApiError(429, message, { type: rule.limit ?? 'requests', code: 'rate_limit_exceeded' }) };
      }
      const message =
        rule.limit === 'tokens'
          ? 'Number of request tokens has exceeded your per-minute rate limit; see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.'
          : 'Number of requests has exceeded your per-minute rate limit. Please retry after the time in the retry-after header.';
      return { headers, error: new ApiError(429, message) };
    }
    case 'insufficient_quota': {
      const headers = { 'x-should-retry': 'false' };
      if (provider === 'openai') {
        const message = 'You exceeded your current quota, please check your plan and billing details.';
        return { headers, error: new ApiError(429, message, { type: 'insufficient_quota', code: 'insufficient_quota' }) };
      }
      const message = 'You have reached your specified workspace API usage limits. You will regain access once the limit resets.';
      return {
        headers,
        error: new ApiError(429, message, { anthropicExtra: { details: { error_code: 'enforced_spend_limit_reached' } } }),
      };
    }
    case 'server_error':
    case 'error_after_commit':
      return {
        headers: {},
        error: new ApiError(
          500,
          provider === 'openai' ? 'The server had an error while processing your request. Sorry about that!' : 'Internal server error',
        ),
      };
    case 'overloaded':
      return provider === 'openai'
        ? { headers: {}, error: new ApiError(503, 'The engine is currently overloaded, please try again later.') }
        : { headers: {}, error: new ApiError(529, 'Overloaded') };
    default:
      throw new Error(`fault ${rule.kind} has no error response`);
  }
}

/**
 * The rate-limit headers a provider sends on a 429 where `limit` was hit and resets in `ms`; the other limit has
 * room left and resets sooner. OpenAI: resets as Go durations (x-ratelimit-reset-requests: 1s, -tokens: 6m0s).
 * Anthropic: resets as RFC 3339 times, per limit (requests, tokens, input-tokens, output-tokens).
 */
function rateLimitHeaders(provider: Provider, limit: 'requests' | 'tokens', ms: number, now: number): Record<string, string> {
  const other = Math.max(1, Math.floor(ms / 10));
  const reset = (name: 'requests' | 'tokens') => (name === limit ? ms : other);
  const remaining = (name: 'requests' | 'tokens', max: number) => String(name === limit ? 0 : Math.floor(max / 2));
  if (provider === 'openai') {
    return {
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': remaining('requests', 60),
      'x-ratelimit-reset-requests': goDuration(reset('requests')),
      'x-ratelimit-limit-tokens': '200000',
      'x-ratelimit-remaining-tokens': remaining('tokens', 200000),
      'x-ratelimit-reset-tokens': goDuration(reset('tokens')),
    };
  }
  const headers: Record<string, string> = {
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': remaining('requests', 50),
    'anthropic-ratelimit-requests-reset': rfc3339(now + reset('requests')),
  };
  for (const kind of ['tokens', 'input-tokens', 'output-tokens']) {
    headers[`anthropic-ratelimit-${kind}-limit`] = '40000';
    headers[`anthropic-ratelimit-${kind}-remaining`] = remaining('tokens', 40000);
    headers[`anthropic-ratelimit-${kind}-reset`] = rfc3339(now + reset('tokens'));
  }
  return headers;
}

/** A duration as Go's time.Duration.String() prints it: `120ms`, `1s`, `1.7s`, `6m0s`, `1h2m3s`. */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${trim(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${trim(s)}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
