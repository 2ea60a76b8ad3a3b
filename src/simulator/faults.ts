// Injected faults. Rules are checked in order for every authenticated request to a known route; a rule fires
// with probability `rate` (seeded, so runs repeat exactly) at most `times` times. `slow` rules add delay and
// let the request continue; the first other rule that fires decides the response.
//
//   kind                OpenAI                                        Anthropic
//   rate_limit          429 rate_limit_exceeded                       429 rate_limit_error
//                       + retry-after (s), retry-after-ms, x-should-retry: true, rate-limit headers
//   insufficient_quota  429 insufficient_quota, x-should-retry: false  429 rate_limit_error with
//                                                                     details.error_code enforced_spend_limit_reached
//   server_error        500 server_error                              500 api_error
//   overloaded          503 server_error                              529 overloaded_error
//   slow                responds normally after delayMs
//   reset               the socket is destroyed before any response
//   slow_after_commit   the request is processed (the object stored), and the response sent delayMs later
//
// dropAfterCreate: n — the next n successful create calls (POST /v1/files, /v1/batches, /v1/fine_tuning/jobs,
// /v1/messages/batches) are processed and stored, then the socket is destroyed without a response.
import { ApiError, type Provider } from './errors';
import { seededRandom } from './ids';
import { rfc3339 } from './timing';

export type FaultKind = 'rate_limit' | 'insufficient_quota' | 'server_error' | 'overloaded' | 'slow' | 'reset' | 'slow_after_commit';

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
  /** rate_limit: the wait announced in retry-after / retry-after-ms (default 1000). */
  retryAfterMs?: number;
  /** slow: added latency (default 2000). */
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
  /** The rule that decides the response, or null to process the request normally. */
  fault: FaultRule | null;
  /** A rule that applies once the request has been processed (slow_after_commit). */
  afterCommit?: FaultRule | null;
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
      if (rule.kind === 'slow_after_commit') {
        if (afterCommit !== null) continue;
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
      const seconds = Math.max(1, Math.ceil(ms / 1000));
      const headers: Record<string, string> = { 'retry-after': String(seconds), 'retry-after-ms': String(ms), 'x-should-retry': 'true' };
      if (provider === 'openai') {
        Object.assign(headers, { 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': `${ms / 1000}s` });
        const message = `Rate limit reached for requests in organization sim-org on requests per min (RPM): Limit 60, Used 60, Requested 1. Please try again in ${ms / 1000}s.`;
        return { headers, error: new ApiError(429, message, { type: 'requests', code: 'rate_limit_exceeded' }) };
      }
      Object.assign(headers, {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': rfc3339(now + ms),
      });
      return { headers, error: new ApiError(429, 'Number of requests has exceeded your per-minute rate limit. Please retry after the time in the retry-after header.') };
    }
    case 'insufficient_quota': {
      const headers = { 'x-should-retry': 'false' };
      if (provider === 'openai') {
        const message = 'You exceeded your current quota, please check your plan and billing details.';
        return { headers, error: new ApiError(429, message, { type: 'insufficient_quota', code: 'insufficient_quota' }) };
      }
      const message = 'You have reached your specified workspace API usage limits. You will regain access once the limit resets.';
      return { headers, error: new ApiError(429, message, { anthropicExtra: { details: { error_code: 'enforced_spend_limit_reached' } } }) };
    }
    case 'server_error':
      return {
        headers: {},
        error: new ApiError(500, provider === 'openai' ? 'The server had an error while processing your request. Sorry about that!' : 'Internal server error'),
      };
    case 'overloaded':
      return provider === 'openai'
        ? { headers: {}, error: new ApiError(503, 'The engine is currently overloaded, please try again later.') }
        : { headers: {}, error: new ApiError(529, 'Overloaded') };
    default:
      throw new Error(`fault ${rule.kind} has no error response`);
  }
}
