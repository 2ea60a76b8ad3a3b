// How loops wait (x-temporal-poll at document, workflow and step level) and the Arazzo 1.1 step timeout.
import type { Compiler } from './compiler';
import { parseDuration } from '../durations';
import { pollPolicyProblem, withDefined } from '../poll-policy';
import type { ArazzoStep, PollPolicy } from '../types';
import { POLL_EXTENSION, type Where } from './types';

export function pollPolicy(c: Compiler, base: PollPolicy, ...layers: [unknown, (string | number)[], string?, string?][]): PollPolicy {
  let policy = base;
  for (const [ext, path, workflowId, stepId] of layers) {
    if (ext === undefined) continue;
    if (typeof ext !== 'object' || ext === null) {
      c.report(
        'error',
        'bad-extension',
        `${POLL_EXTENSION} must be an object such as {interval: 1s, maxInterval: 60s, backoff: 2, timeout: 24h}`,
        path,
        { workflowId, stepId },
      );
      continue;
    }
    const e = ext as Record<string, unknown>;
    const ms = (key: string) => {
      if (e[key] === undefined) return undefined;
      const v = parseDuration(e[key]);
      if (v === undefined)
        c.report(
          'error',
          'bad-extension',
          `${POLL_EXTENSION}.${key}: cannot read "${String(e[key])}" as a duration (e.g. 500ms, 5s, 2m, 24h)`,
          [...path, key],
          { workflowId, stepId },
        );
      return v;
    };
    const backoff = e.backoff === undefined ? undefined : Number(e.backoff);
    if (backoff !== undefined && !(Number.isFinite(backoff) && backoff >= 1))
      c.report('error', 'bad-extension', `${POLL_EXTENSION}.backoff must be a number >= 1`, [...path, 'backoff'], { workflowId, stepId });
    const interval = ms('interval');
    const maxInterval = ms('maxInterval');
    if (interval !== undefined && interval <= 0)
      c.report('error', 'bad-extension', `${POLL_EXTENSION}.interval must be longer than 0`, [...path, 'interval'], { workflowId, stepId });
    if (interval !== undefined && maxInterval !== undefined && maxInterval < interval) {
      c.report(
        'error',
        'bad-extension',
        `${POLL_EXTENSION}.maxInterval (${String(e.maxInterval)}) must not be shorter than interval (${String(e.interval)})`,
        [...path, 'maxInterval'],
        { workflowId, stepId },
      );
    }
    policy = withDefined(policy, {
      initialIntervalMs: interval !== undefined && interval > 0 ? interval : undefined,
      maxIntervalMs: maxInterval !== undefined && maxInterval > 0 ? maxInterval : undefined,
      backoff: backoff !== undefined && backoff >= 1 && Number.isFinite(backoff) ? backoff : undefined,
      timeoutMs: ms('timeout'),
    });
    // an interval set above the inherited cap (interval: 2m under the default 60s) raises the cap with it
    if (policy.maxIntervalMs < policy.initialIntervalMs) policy = { ...policy, maxIntervalMs: policy.initialIntervalMs };
  }
  const problem = pollPolicyProblem(policy);
  const [, path, workflowId, stepId] = layers[layers.length - 1] ?? [undefined, [], undefined, undefined];
  if (problem) c.report('error', 'bad-poll-policy', `poll policy: ${problem}`, path, { workflowId, stepId });
  return policy;
}

/** Arazzo 1.1 step `timeout`, in milliseconds. */
export function stepTimeout(c: Compiler, step: ArazzoStep, path: (string | number)[], where: Where): number | undefined {
  if (step.timeout === undefined) return undefined;
  if (typeof step.timeout !== 'number' || !Number.isFinite(step.timeout) || step.timeout <= 0) {
    c.report(
      'error',
      'bad-timeout',
      `timeout must be a positive number of milliseconds, got ${JSON.stringify(step.timeout)}`,
      [...path, 'timeout'],
      where,
    );
    return undefined;
  }
  return Math.ceil(step.timeout);
}
