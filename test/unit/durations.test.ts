import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/core/durations';

test('parseDuration: single units', () => {
  const cases: [string, number][] = [
    ['500ms', 500],
    ['0ms', 0],
    ['1s', 1000],
    ['2m', 120_000],
    ['24h', 86_400_000],
    ['1d', 86_400_000],
    ['1.5s', 1500],
    ['0.5h', 1_800_000],
    ['90m', 5_400_000],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('parseDuration: compound durations add up, with optional spaces between parts', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1h 30m'), 5_400_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('2s500ms'), 2500);
  assert.equal(parseDuration('1d2h3m4s5ms'), 86_400_000 + 7_200_000 + 180_000 + 4000 + 5);
  assert.equal(parseDuration('  5s  '), 5000);
});

test('parseDuration: a bare number is seconds, as a string or a number', () => {
  assert.equal(parseDuration('30'), 30_000);
  assert.equal(parseDuration('2.5'), 2500);
  assert.equal(parseDuration(30), 30_000);
  assert.equal(parseDuration(0.25), 250);
  assert.equal(parseDuration(0), 0);
});

test('parseDuration: unreadable values are undefined', () => {
  for (const bad of ['', ' ', 'soon', '5x', '5 sec', '1h30', 'h', '-1s', '-5', '1e3', '1s!', 'ms', '1.s', '.5s', 's5']) {
    assert.equal(parseDuration(bad), undefined, JSON.stringify(bad));
  }
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, {}, ['1s']]) {
    assert.equal(parseDuration(bad), undefined, String(bad));
  }
});

test('formatDuration: picks ms, s, m or h with at most one decimal', () => {
  const cases: [number, string][] = [
    [0, '0ms'],
    [1, '1ms'],
    [999, '999ms'],
    [999.6, '1000ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1549, '1.5s'],
    [30_000, '30s'],
    [60_000, '1m'],
    [90_000, '1.5m'],
    [3_540_000, '59m'],
    [3_600_000, '1h'],
    [5_400_000, '1.5h'],
    [86_400_000, '24h'],
    [90_000_000, '25h'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
});

test('formatDuration output reads back with parseDuration to the rounded value', () => {
  for (const ms of [250, 1000, 1500, 42_000, 60_000, 150_000, 3_600_000, 9_000_000]) {
    assert.equal(parseDuration(formatDuration(ms)), ms, String(ms));
  }
});
