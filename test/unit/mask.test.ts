// Masking of credentials in text people read, and of resolved secrets in data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure, type LogLevel } from '@temporalio/common';
import { maskDeep, maskError, maskKnown, maskSecrets, rememberSecret } from '../../src/core/mask';
import { maskingLogger } from '../../src/activities/secrets';

const KNOWN = 'plain-looking-value-7f3a9c2e';
rememberSecret(KNOWN);

test('header values, Bearer tokens, key-like query parameters and key formats are masked in text', () => {
  const cases: [string, string][] = [
    ['Authorization: Bearer sk-test-5f1c9a7e3b2d4c6a8e0f', 'Authorization: Bearer ***'],
    ['{"authorization":"Basic dXNlcjpwYXNzd29yZA==","x-api-key":"abcdefgh12345"}', '{"authorization":"Basic ***","x-api-key":"***"}'],
    ["headers: { 'X-Api-Key': 'zzzzzzzzzzzz' }", "headers: { 'X-Api-Key': '***' }"],
    ['GET https://api.example/v1/x?api_key=abc123&limit=2&token=t0k', 'GET https://api.example/v1/x?api_key=***&limit=2&token=***'],
    ['Incorrect API key provided: sk-wrong-0123456789abcdef0123456789.', 'Incorrect API key provided: ***.'],
    [`upstream said ${KNOWN} twice: ${KNOWN}`, 'upstream said *** twice: ***'],
    ['aws AKIAABCDEFGHIJKLMNOP and ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'aws *** and ***'],
  ];
  for (const [input, expected] of cases) assert.equal(maskSecrets(input), expected);
});

test('placeholders and ordinary prose stay as they are', () => {
  for (const text of ['Bearer {{secret:OPENAI_API_KEY}}', 'the bearer of bad news', 'x-api-key header missing', 'page?limit=20&after=file-1']) assert.equal(maskSecrets(text), text);
});

test('data gets only the exact layer; errors keep their class; logs are masked before the inner logger', () => {
  const data = { body: { text: 'Bearer looks-like-a-token-but-is-content', echo: KNOWN }, list: [KNOWN] };
  assert.deepEqual(maskDeep(data, maskKnown), { body: { text: 'Bearer looks-like-a-token-but-is-content', echo: '***' }, list: ['***'] });
  const err = ApplicationFailure.create({ message: `HTTP 401 — x-api-key: ${KNOWN}`, type: 'ArazzoHttp401', cause: new Error('Authorization: Bearer abcdefghijkl') });
  maskError(err);
  assert.ok(err instanceof ApplicationFailure);
  assert.equal(err.message, 'HTTP 401 — x-api-key: ***');
  assert.ok(!err.stack?.includes(KNOWN));
  assert.equal((err.cause as Error).message, 'Authorization: Bearer ***');
  const lines: string[] = [];
  const sym = Symbol('ts');
  const logger = maskingLogger({
    log: (level: LogLevel, message: string, meta?: Record<string | symbol, unknown>) => lines.push(`${level} ${message} ${JSON.stringify(meta, (_, v) => (v instanceof Error ? v.message : v))} ${String(meta?.[sym])}`),
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  });
  logger.warn(`retrying with ${KNOWN}`, { error: new Error(`x-api-key=${KNOWN}`), headers: { Authorization: 'Bearer qwertyuiop123' }, [sym]: 42 });
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes(KNOWN) && !lines[0].includes('qwertyuiop123'), lines[0]);
  assert.match(lines[0], /42$/, 'symbol keys (the SDK timestamp) survive');
});

test('a credential already masked is not masked twice (the scheme stays)', () => {
  assert.equal(maskSecrets(`Authorization: Bearer ${KNOWN}`), 'Authorization: Bearer ***');
  assert.equal(maskSecrets('Authorization: Bearer ***'), 'Authorization: Bearer ***');
});

test('the masking logger drops lines below the inner logger level before masking them, and masks the rest', () => {
  const seen: string[] = [];
  let masked = 0;
  const inner = {
    level: 'INFO' as LogLevel,
    log: (level: LogLevel, message: string) => seen.push(`${level} ${message}`),
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  const logger = maskingLogger(inner);
  // a meta object whose getter counts reads: masking a line reads every key
  const meta = {
    get probe() {
      masked++;
      return KNOWN;
    },
  };
  logger.trace(`trace ${KNOWN}`, meta);
  logger.debug(`debug ${KNOWN}`, meta);
  logger.log('DEBUG', `debug ${KNOWN}`, meta);
  assert.equal(masked, 0, 'lines below INFO are not masked (nor sent)');
  logger.info(`info ${KNOWN}`, meta);
  logger.log('ERROR', `error ${KNOWN}`, meta);
  assert.equal(masked, 2);
  assert.deepEqual(seen, ['INFO info ***', 'ERROR error ***']);
});
