import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { decodeBody, encodeBody, fileMeta } from '../../src/activities/body';
import { redact, resolveSecrets } from '../../src/activities/secrets';
import { retryDelayMs } from '../../src/activities/run-step';
import { secretPlaceholder } from '../../src/core/secrets';

const JSONL = '{"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{}}\n{"custom_id":"r2","method":"POST","url":"/v1/chat/completions","body":{}}\n';

function formOf(encoded: { data: unknown }): FormData {
  assert.ok(encoded.data instanceof FormData, 'multipart bodies are FormData');
  return encoded.data;
}

// ---------- encodeBody ----------

test('encodeBody multipart: a JSONL string in a file field becomes input.jsonl (application/jsonl)', async () => {
  const encoded = encodeBody({ contentType: 'multipart/form-data', value: { file: JSONL, purpose: 'batch' }, fileFields: ['file'] });
  assert.equal(encoded.contentType, undefined, 'the HTTP client sets the boundary');
  const form = formOf(encoded);
  const file = form.get('file');
  assert.ok(file instanceof Blob, 'the file field is a file part');
  assert.equal((file as File).name, 'input.jsonl');
  assert.equal(file.type, 'application/jsonl');
  assert.equal(await file.text(), JSONL);
  assert.equal(form.get('purpose'), 'batch');
  assert.deepEqual([...form.keys()], ['file', 'purpose']);
});

test('encodeBody multipart: non-file fields stay strings (numbers, objects as JSON, arrays repeated, null skipped)', () => {
  const form = formOf(
    encodeBody({
      contentType: 'multipart/form-data; charset=utf-8',
      value: { file: 'plain words, not JSON', purpose: JSONL, n: 3, meta: { a: 1 }, tags: ['x', 'y'], skip: null, gone: undefined },
      fileFields: ['file'],
    }),
  );
  const file = form.get('file') as File;
  assert.ok(file instanceof Blob);
  assert.equal(file.name, 'input.txt');
  assert.equal(file.type, 'text/plain');
  // purpose is not a file field, so even JSONL text stays a plain string field
  assert.equal(form.get('purpose'), JSONL);
  assert.equal(form.get('n'), '3');
  assert.equal(form.get('meta'), '{"a":1}');
  assert.deepEqual(form.getAll('tags'), ['x', 'y']);
  assert.equal(form.has('skip'), false);
  assert.equal(form.has('gone'), false);
});

test('encodeBody multipart: a string in a field not listed as a file stays a string', () => {
  const form = formOf(encodeBody({ contentType: 'multipart/form-data', value: { file: JSONL }, fileFields: [] }));
  assert.equal(typeof form.get('file'), 'string');
  assert.equal(form.get('file'), JSONL);
});

test('encodeBody multipart: explicit {content, filename, contentType} objects are honoured', async () => {
  const form = formOf(
    encodeBody({
      contentType: 'multipart/form-data',
      value: {
        file: { content: JSONL, filename: 'train.jsonl', contentType: 'application/x-ndjson' },
        other: { content: '{"a":1}' },
        notes: { content: 'hello', filename: 'notes.md' },
        purpose: 'fine-tune',
      },
      fileFields: ['file'],
    }),
  );
  const file = form.get('file') as File;
  assert.equal(file.name, 'train.jsonl');
  assert.equal(file.type, 'application/x-ndjson');
  assert.equal(await file.text(), JSONL);
  const other = form.get('other') as File;
  assert.ok(other instanceof Blob, 'an explicit file object is a file part even outside fileFields');
  assert.equal(other.name, 'input.jsonl');
  assert.equal(other.type, 'application/jsonl');
  const notes = form.get('notes') as File;
  assert.equal(notes.name, 'notes.md');
  assert.equal(notes.type, 'text/plain');
  assert.equal(form.get('purpose'), 'fine-tune');
});

test('fileMeta: JSON lines (blank lines allowed) → input.jsonl; anything else → input.txt', () => {
  assert.deepEqual(fileMeta('{"a":1}\n\n{"b":2}\r\n'), { filename: 'input.jsonl', contentType: 'application/jsonl' });
  assert.deepEqual(fileMeta('{"a":1}\nnot json\n'), { filename: 'input.txt', contentType: 'text/plain' });
  assert.deepEqual(fileMeta(''), { filename: 'input.txt', contentType: 'text/plain' });
});

test('encodeBody JSON: values are serialized; a JSON string is a JSON string literal', () => {
  assert.deepEqual(encodeBody({ contentType: 'application/json', value: { requests: [{ custom_id: 'a' }] } }), { data: '{"requests":[{"custom_id":"a"}]}', contentType: 'application/json' });
  assert.deepEqual(encodeBody({ contentType: 'application/json', value: 'hi' }), { data: '"hi"', contentType: 'application/json' });
  assert.deepEqual(encodeBody({ contentType: 'application/json', value: undefined }), { data: 'null', contentType: 'application/json' });
  assert.deepEqual(encodeBody({ contentType: 'application/merge-patch+json', value: { a: null } }), { data: '{"a":null}', contentType: 'application/merge-patch+json' });
  // JSON lines are sent as written
  assert.deepEqual(encodeBody({ contentType: 'application/jsonl', value: JSONL }), { data: JSONL, contentType: 'application/jsonl' });
});

test('encodeBody form-urlencoded: objects become key=value pairs, strings are sent as written', () => {
  assert.deepEqual(encodeBody({ contentType: 'application/x-www-form-urlencoded', value: { grant_type: 'client_credentials', scope: 'a b&c', n: 2, skip: undefined, obj: { x: 1 } } }), {
    data: 'grant_type=client_credentials&scope=a+b%26c&n=2&obj=%7B%22x%22%3A1%7D',
    contentType: 'application/x-www-form-urlencoded',
  });
  assert.deepEqual(encodeBody({ contentType: 'application/x-www-form-urlencoded', value: 'a=1&b=2' }), { data: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' });
});

test('encodeBody text: strings as written, other values as JSON', () => {
  assert.deepEqual(encodeBody({ contentType: 'text/plain', value: 'hello' }), { data: 'hello', contentType: 'text/plain' });
  assert.deepEqual(encodeBody({ contentType: 'application/xml', value: '<a/>' }), { data: '<a/>', contentType: 'application/xml' });
  assert.deepEqual(encodeBody({ contentType: 'text/plain', value: 42 }), { data: '42', contentType: 'text/plain' });
});

// ---------- decodeBody ----------

test('decodeBody: JSON media types are parsed', () => {
  assert.deepEqual(decodeBody(Buffer.from('{"id":"batch_1","n":2}'), 'application/json; charset=utf-8'), { id: 'batch_1', n: 2 });
  assert.deepEqual(decodeBody(Buffer.from('{"type":"about:blank"}'), 'application/problem+json'), { type: 'about:blank' });
  assert.deepEqual(decodeBody(Buffer.from('[1,2]'), undefined), [1, 2], 'no content type but JSON-looking text');
  assert.equal(decodeBody(Buffer.from('{not json'), 'application/json'), '{not json', 'invalid JSON stays text');
  assert.equal(decodeBody(Buffer.alloc(0), 'application/json'), undefined);
});

test('decodeBody: JSON lines stay a string', () => {
  for (const type of ['application/jsonl', 'application/x-jsonl', 'application/x-ndjson', 'application/json-seq']) {
    assert.equal(decodeBody(Buffer.from(JSONL), type), JSONL, type);
  }
  assert.equal(decodeBody(Buffer.from(JSONL), undefined), JSONL, 'several JSON lines without a type are text');
});

test('decodeBody: text and octet-stream holding valid UTF-8 are text', () => {
  assert.equal(decodeBody(Buffer.from('héllo ✓'), 'text/plain; charset=utf-8'), 'héllo ✓');
  assert.equal(decodeBody(Buffer.from('{"a":1}'), 'text/plain'), '{"a":1}', 'text/plain is not parsed as JSON');
  assert.equal(decodeBody(Buffer.from(JSONL), 'application/octet-stream'), JSONL);
});

test('decodeBody: invalid UTF-8 becomes {$binary: base64}', () => {
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x80]);
  assert.deepEqual(decodeBody(bytes, 'image/png'), { $binary: bytes.toString('base64'), contentType: 'image/png' });
  assert.deepEqual(decodeBody(bytes, undefined), { $binary: bytes.toString('base64'), contentType: undefined });
  assert.deepEqual(decodeBody(bytes, 'application/json'), { $binary: bytes.toString('base64'), contentType: 'application/json' });
});

// ---------- secrets ----------

test('resolveSecrets: references and placeholders, at any depth; other values untouched', () => {
  process.env.UNIT_SECRET_A = 'alpha-secret-value';
  process.env.UNIT_SECRET_B = 'beta-secret-value';
  try {
    const input = {
      headers: { Authorization: `Bearer ${secretPlaceholder('UNIT_SECRET_A')}`, 'x-api-key': { $secret: 'UNIT_SECRET_B' }, plain: 'x' },
      list: [{ $secret: 'UNIT_SECRET_A' }, `${secretPlaceholder('UNIT_SECRET_A')}:${secretPlaceholder('UNIT_SECRET_B')}`, 3, null, true],
      notASecret: { $secret: 'UNIT_SECRET_A', other: 1 },
      text: '{{secret:lower-case-is-not-a-placeholder}}',
    };
    const before = structuredClone(input);
    const out = resolveSecrets(input);
    assert.deepEqual(out, {
      headers: { Authorization: 'Bearer alpha-secret-value', 'x-api-key': 'beta-secret-value', plain: 'x' },
      list: ['alpha-secret-value', 'alpha-secret-value:beta-secret-value', 3, null, true],
      notASecret: { $secret: 'UNIT_SECRET_A', other: 1 },
      text: '{{secret:lower-case-is-not-a-placeholder}}',
    });
    assert.deepEqual(input, before, 'the input is not modified');
  } finally {
    delete process.env.UNIT_SECRET_A;
    delete process.env.UNIT_SECRET_B;
  }
});

test('redact removes resolved secret values from text', () => {
  process.env.UNIT_SECRET_R = 'sk-redact-me-123';
  try {
    resolveSecrets({ $secret: 'UNIT_SECRET_R' });
    assert.equal(redact('401 for key sk-redact-me-123 (again: sk-redact-me-123)'), '401 for key *** (again: ***)');
    assert.equal(redact('nothing to hide'), 'nothing to hide');
  } finally {
    delete process.env.UNIT_SECRET_R;
  }
});

test('a missing or empty environment variable raises an error naming the variable, never a value', () => {
  process.env.UNIT_SECRET_PRESENT = 'present-value-xyz';
  process.env.UNIT_SECRET_EMPTY = '';
  delete process.env.UNIT_SECRET_ABSENT;
  try {
    for (const missing of ['UNIT_SECRET_ABSENT', 'UNIT_SECRET_EMPTY']) {
      assert.throws(
        () => resolveSecrets({ a: `${secretPlaceholder('UNIT_SECRET_PRESENT')}`, b: [`Bearer ${secretPlaceholder(missing)}`] }),
        (err: unknown) =>
          err instanceof ApplicationFailure &&
          err.type === 'ArazzoSecretError' &&
          err.nonRetryable === true &&
          err.message.includes(missing) &&
          !err.message.includes('present-value-xyz'),
      );
      assert.throws(() => resolveSecrets({ $secret: missing }), new RegExp(`secret ${missing} is not set in the worker's environment`));
    }
  } finally {
    delete process.env.UNIT_SECRET_PRESENT;
    delete process.env.UNIT_SECRET_EMPTY;
  }
});

// ---------- retry delays ----------

test("retryDelayMs: the server's Retry-After is used as is, never shortened by backoff", () => {
  const random = () => 1; // the largest jitter reduction
  assert.equal(retryDelayMs(1, { 'retry-after': '120' }, random), 120_000);
  assert.equal(retryDelayMs(7, { 'retry-after-ms': '250' }, random), 250);
  assert.equal(retryDelayMs(10, { 'retry-after': '90' }, () => 0), 90_000);
});

test('retryDelayMs: exponential backoff with jitter in [0.75, 1] × min(2^(n-1) s, 60 s)', () => {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const base = Math.min(1000 * 2 ** (attempt - 1), 60_000);
    assert.equal(retryDelayMs(attempt, {}, () => 0), base, `attempt ${attempt}, no jitter`);
    assert.equal(retryDelayMs(attempt, {}, () => 1), 0.75 * base, `attempt ${attempt}, full jitter`);
    assert.equal(retryDelayMs(attempt, {}, () => 0.5), Math.round(0.875 * base), `attempt ${attempt}, half jitter`);
    for (let i = 0; i < 20; i++) {
      const d = retryDelayMs(attempt, {});
      assert.ok(d >= 0.75 * base && d <= base, `attempt ${attempt}: ${d} outside [${0.75 * base}, ${base}]`);
    }
  }
  assert.equal(retryDelayMs(2, {}, () => 0), 2000);
  assert.equal(retryDelayMs(7, {}, () => 0), 60_000, '2^6 s = 64 s is capped at 60 s');
  assert.equal(retryDelayMs(0, {}, () => 0), 1000, 'attempt 0 is treated as the first');
});

test('resolveSecrets: a value with $& or $1 in it is inserted literally', () => {
  process.env.UNIT_SECRET_DOLLAR = 'pa$&w$1rd$$';
  try {
    assert.equal(resolveSecrets(`Basic ${secretPlaceholder('UNIT_SECRET_DOLLAR')}!`), 'Basic pa$&w$1rd$$!');
  } finally {
    delete process.env.UNIT_SECRET_DOLLAR;
  }
});

test('redact: a secret that contains another secret is removed whole, leaving no tail', () => {
  process.env.UNIT_SECRET_SHORT = 'tok-1234';
  process.env.UNIT_SECRET_LONG = 'tok-1234-and-more-9876';
  try {
    resolveSecrets([{ $secret: 'UNIT_SECRET_SHORT' }, { $secret: 'UNIT_SECRET_LONG' }]);
    const text = redact('keys: tok-1234-and-more-9876 / tok-1234');
    assert.equal(text, 'keys: *** / ***');
    assert.ok(!text.includes('9876'));
  } finally {
    delete process.env.UNIT_SECRET_SHORT;
    delete process.env.UNIT_SECRET_LONG;
  }
});
