// Every shape of retry hint the providers send, and values that are no hint at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_HINT_MS, parseGoDuration, parseRetryAfter, parseRetryAfterMs, parseRfc3339Delay, retryHint } from '../../src/activities/http-retry-hints';
import { requestTimeoutMs, retryDelayMs } from '../../src/activities/run-step';
import { documentRetries } from '../../src/activities/http-document-retry';

const NOW = Date.parse('2026-12-02T05:00:00Z');

test('retry-after-ms: float milliseconds, rounded up; anything else is no hint', () => {
  assert.equal(parseRetryAfterMs('1500.2'), 1501);
  assert.equal(parseRetryAfterMs('0'), 0);
  for (const bad of ['soon', '-5', '', 'NaN', 'Infinity', '1e3', '12 ms', undefined]) assert.equal(parseRetryAfterMs(bad), undefined, String(bad));
});

test('Retry-After: seconds or an HTTP date; a past date is now; garbage is no hint', () => {
  assert.equal(parseRetryAfter('1', NOW), 1000);
  assert.equal(parseRetryAfter('0', NOW), 0);
  assert.equal(parseRetryAfter(' 1.25 ', NOW), 1250);
  assert.equal(parseRetryAfter(new Date(NOW + 45_000).toUTCString(), NOW), 45_000, 'IMF-fixdate');
  assert.equal(parseRetryAfter('Wednesday, 02-Dec-26 05:00:30 GMT', NOW), 30_000, 'RFC 850 form');
  assert.equal(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW), 0, 'a date in the past');
  for (const bad of ['whenever', '-1', 'NaN', '1e9999', '2026-12-02T05:00:30Z', '0x10', 'Sun, 99 Foo 2026 99:99:99 GMT', '']) assert.equal(parseRetryAfter(bad, NOW), undefined, bad);
});

test('Go durations as OpenAI sends them in x-ratelimit-reset-*', () => {
  assert.equal(parseGoDuration('1s'), 1000);
  assert.equal(parseGoDuration('6m0s'), 360_000);
  assert.equal(parseGoDuration('120ms'), 120);
  assert.equal(parseGoDuration('1m30.5s'), 90_500);
  assert.equal(parseGoDuration('51.189s'), 51_189);
  assert.equal(parseGoDuration('1h2m3s'), 3_723_000);
  assert.equal(parseGoDuration('0s'), 0);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('250us'), 1, 'sub-millisecond rounds up');
  for (const bad of ['', 's', '6x', '-1s', '1.s', '1 s', 'soon', '12', undefined]) assert.equal(parseGoDuration(bad), undefined, String(bad));
});

test('RFC 3339 timestamps as Anthropic sends them in anthropic-ratelimit-*-reset', () => {
  assert.equal(parseRfc3339Delay('2026-12-02T05:00:10Z', NOW), 10_000);
  assert.equal(parseRfc3339Delay('2026-12-02T06:00:10+01:00', NOW), 10_000);
  assert.equal(parseRfc3339Delay('2026-12-02T05:00:00.250Z', NOW), 250);
  assert.equal(parseRfc3339Delay('2026-12-02T04:00:00Z', NOW), 0, 'passed');
  for (const bad of ['2026-12-02', 'tomorrow', '2026-13-45T99:00:00Z', '1764651610', undefined]) assert.equal(parseRfc3339Delay(bad, NOW), undefined, String(bad));
});

test('hints are capped: a server asking for years gets a day', () => {
  assert.equal(parseRetryAfter('999999999', NOW), MAX_HINT_MS);
  assert.equal(parseRetryAfterMs('1' + '0'.repeat(30)), MAX_HINT_MS);
  assert.equal(parseGoDuration('100000h'), MAX_HINT_MS);
});

test('retryHint: the longest of the hints, never earlier than any', () => {
  assert.equal(retryHint(429, { 'retry-after-ms': '1500', 'retry-after': '2' }, NOW).delayMs, 2000);
  assert.equal(retryHint(503, { 'retry-after': '1' }, NOW).delayMs, 1000);
  assert.equal(retryHint(503, {}, NOW).delayMs, undefined);
  assert.equal(retryHint(503, { 'retry-after': 'garbage' }, NOW).delayMs, undefined);
});

test('retryHint: OpenAI 429 with only x-ratelimit-reset-*: the exhausted limit, else the latest', () => {
  const h = { 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-remaining-tokens': '149984', 'x-ratelimit-reset-tokens': '6m0s' };
  assert.equal(retryHint(429, h, NOW).delayMs, 1000, 'requests ran out');
  assert.equal(retryHint(429, { ...h, 'x-ratelimit-remaining-requests': '3' }, NOW).delayMs, 360_000, 'none says 0: the latest');
  assert.equal(retryHint(429, { ...h, 'retry-after': '20' }, NOW).delayMs, 20_000, 'retry-after is longer than the applying reset');
  assert.equal(retryHint(200, h, NOW).delayMs, undefined, 'reset headers on other statuses are no hint');
});

test('retryHint: Anthropic 429: the reset of the limit that was hit, else the latest; with retry-after', () => {
  const h = {
    'retry-after': '5',
    'anthropic-ratelimit-requests-remaining': '40',
    'anthropic-ratelimit-requests-reset': '2026-12-02T05:00:02Z',
    'anthropic-ratelimit-tokens-remaining': '0',
    'anthropic-ratelimit-tokens-reset': '2026-12-02T05:00:30Z',
    'anthropic-ratelimit-input-tokens-remaining': '0',
    'anthropic-ratelimit-input-tokens-reset': '2026-12-02T05:00:30Z',
    'anthropic-ratelimit-output-tokens-remaining': '1000',
    'anthropic-ratelimit-output-tokens-reset': '2026-12-02T05:01:00Z',
  };
  assert.equal(retryHint(429, h, NOW).delayMs, 30_000, 'tokens ran out: their reset, not the output-tokens one');
  const none = { ...h, 'anthropic-ratelimit-tokens-remaining': '5', 'anthropic-ratelimit-input-tokens-remaining': '5' };
  assert.equal(retryHint(429, none, NOW).delayMs, 60_000, 'no limit says 0: the latest reset');
  assert.equal(retryHint(429, { ...none, 'anthropic-ratelimit-output-tokens-reset': 'garbage' }, NOW).delayMs, 30_000, 'a garbage reset is ignored');
});

test('x-should-retry: false is final, true makes any status transient', () => {
  assert.deepEqual(retryHint(503, { 'x-should-retry': 'false' }, NOW), { delayMs: undefined, final: true, retry: false });
  assert.equal(retryHint(400, { 'x-should-retry': 'true' }, NOW).retry, true);
  assert.equal(retryHint(400, {}, NOW).retry, false);
});

test('retryDelayMs: the hint when there is one, backoff only without; always finite', () => {
  assert.equal(retryDelayMs(1, { 'retry-after': '120' }, () => 1), 120_000);
  assert.equal(retryDelayMs(1, { 'x-ratelimit-reset-tokens': '1m30.5s' }, () => 1, 429), 90_500);
  assert.equal(retryDelayMs(3, { 'retry-after': 'NaN' }, () => 0), 4000, 'garbage → backoff');
  assert.equal(retryDelayMs(3, { 'retry-after': '0' }, () => 0), 4000, 'Retry-After: 0 → backoff, never a 0 delay');
  for (const v of ['NaN', '-1', 'Infinity', '1e400', 'Thu, 01 Jan 1970 00:00:00 GMT']) {
    const d = retryDelayMs(2, { 'retry-after': v, 'retry-after-ms': v }, Math.random, 429);
    assert.ok(Number.isFinite(d) && d >= 0, `${v} → ${d}`);
  }
});

const c = (condition: string) => ({ condition });
const ctx = (statusCode: number) => ({ inputs: {}, steps: {}, statusCode, response: { header: {}, body: {} } });

test('documentRetries: a retry action whose criteria match the response decides it', () => {
  const step = { successCriteria: [c('$statusCode == 200')], onFailure: [{ name: 'again', type: 'retry' as const, retryLimit: 2, criteria: [c('$statusCode == 503')] }] };
  assert.equal(documentRetries(step, ctx(503)), true);
  assert.equal(documentRetries(step, ctx(502)), false, 'criteria do not match: transport retries');
  assert.equal(documentRetries(step, ctx(200)), false, 'success: nothing to retry');
  assert.equal(documentRetries({ ...step, onFailure: [{ name: 'any', type: 'retry' as const }] }, ctx(502)), true, 'a retry without criteria matches every failure');
  assert.equal(documentRetries({ ...step, onFailure: [{ name: 'stop', type: 'end' as const }] }, ctx(503)), false, 'no retry action: transport retries');
});

test('ARAZZO_HTTP_TIMEOUT_MS is checked where it is read', () => {
  assert.equal(requestTimeoutMs(undefined), 120_000);
  assert.equal(requestTimeoutMs('5000'), 5000);
  for (const bad of ['soon', '0', '-1', 'NaN', 'Infinity']) assert.throws(() => requestTimeoutMs(bad), /ARAZZO_HTTP_TIMEOUT_MS must be a positive number of milliseconds/, bad);
});
