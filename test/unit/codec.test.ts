// The payload codec (AES-256-GCM, key ids for rotation), the key config, and the codec server's protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, CodecError, CodecKeyError, codecKeysFromEnv, ensureDevKeyFile, isEncrypted, newKey, parseKeyList, readKeyFile, startCodecServer } from '../../src/codec';

const K1 = newKey();
const K2 = newKey();
const secretText = 'Summarise the quarterly report for ACME-7731';
const plain = () => defaultPayloadConverter.toPayload({ prompt: secretText, custom_id: 'request-1' });
const text = (p: { data?: Uint8Array | null; metadata?: Record<string, Uint8Array | null> | null }) =>
  Buffer.from(p.data ?? new Uint8Array()).toString('latin1') + Object.values(p.metadata ?? {}).map((v) => Buffer.from(v ?? new Uint8Array()).toString('latin1')).join('');

test('encode encrypts the whole payload with the current key and names it; decode restores it', async () => {
  const codec = new AesGcmCodec(parseKeyList(`k2:${K2},k1:${K1}`));
  const [enc] = await codec.encode([plain()]);
  assert.ok(isEncrypted(enc));
  assert.equal(Buffer.from(enc.metadata!['encryption-key-id']!).toString(), 'k2');
  assert.ok(!text(enc).includes('ACME-7731') && !text(enc).includes('request-1') && !text(enc).includes('json/plain'));
  const [dec] = await codec.decode([enc]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(dec), { prompt: secretText, custom_id: 'request-1' });
  // a fresh IV every time
  const [again] = await codec.encode([plain()]);
  assert.notDeepEqual(Buffer.from(again.data!), Buffer.from(enc.data!));
});

test('rotation: payloads written with an old key are read after the current key changed', async () => {
  const [old] = await new AesGcmCodec(parseKeyList(`k1:${K1}`)).encode([plain()]);
  const rotated = new AesGcmCodec(parseKeyList(`k2:${K2},k1:${K1}`));
  assert.deepEqual(defaultPayloadConverter.fromPayload((await rotated.decode([old]))[0]), { prompt: secretText, custom_id: 'request-1' });
  const [fresh] = await rotated.encode([plain()]);
  assert.equal(Buffer.from(fresh.metadata!['encryption-key-id']!).toString(), 'k2');
  // the old key alone cannot read the new payload, and says which key it lacks
  await assert.rejects(new AesGcmCodec(parseKeyList(`k1:${K1}`)).decode([fresh]), (e: Error) => e instanceof CodecError && /key id "k2", which is not among the keys/.test(e.message));
});

test('a process without keys writes plaintext and refuses encrypted payloads clearly', async () => {
  const none = new AesGcmCodec(undefined);
  const p = plain();
  assert.deepEqual(await none.encode([p]), [p]);
  const [enc] = await new AesGcmCodec(parseKeyList(`k1:${K1}`)).encode([p]);
  await assert.rejects(none.decode([enc]), /encrypted \(key id "k1"\) but this process has no codec keys: set ARAZZO_CODEC_KEYS or ARAZZO_CODEC_KEY_FILE/);
  // plaintext payloads are read by a keyed codec too (runs from before encryption was turned on)
  assert.deepEqual(await new AesGcmCodec(parseKeyList(`k1:${K1}`)).decode([p]), [p]);
});

test('a wrong key under the right id, or an altered payload, fails authentication', async () => {
  const [enc] = await new AesGcmCodec(parseKeyList(`k1:${K1}`)).encode([plain()]);
  await assert.rejects(new AesGcmCodec(parseKeyList(`k1:${K2}`)).decode([enc]), /failed authentication/);
  const altered = { ...enc, data: Buffer.from(enc.data!) };
  altered.data[20] ^= 1;
  await assert.rejects(new AesGcmCodec(parseKeyList(`k1:${K1}`)).decode([altered]), /failed authentication/);
  // moving the payload under another key id breaks it too (the id is authenticated)
  const moved = { ...enc, metadata: { ...enc.metadata, 'encryption-key-id': Buffer.from('k2') } };
  await assert.rejects(new AesGcmCodec(parseKeyList(`k2:${K1}`)).decode([moved]), /failed authentication/);
});

test('key config: env list, key file, the dev key file; bad keys named without their value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codec-'));
  const file = join(dir, 'keys.json');
  writeFileSync(file, JSON.stringify({ current: 'b', keys: { a: K1, b: Buffer.from(K2, 'base64').toString('hex') } }));
  const fromFile = readKeyFile(file);
  assert.equal(fromFile.currentId, 'b');
  assert.deepEqual(fromFile.keys.get('b'), Buffer.from(K2, 'base64'));
  assert.equal(codecKeysFromEnv({ ARAZZO_CODEC_KEY_FILE: file }, join(dir, 'absent.json'))?.currentId, 'b');
  assert.equal(codecKeysFromEnv({ ARAZZO_CODEC_KEYS: `x:${K1}`, ARAZZO_CODEC_KEY_FILE: file })?.currentId, 'x');
  assert.equal(codecKeysFromEnv({ ARAZZO_CODEC_KEYS: 'none' }, file), undefined);
  assert.equal(codecKeysFromEnv({}, join(dir, 'absent.json')), undefined);
  const dev = ensureDevKeyFile(join(dir, 'dev', 'codec-keys.json'));
  assert.equal(statSync(dev).mode & 0o777, 0o600);
  const devKeys = codecKeysFromEnv({}, dev)!;
  assert.equal(devKeys.keys.size, 1);
  assert.equal(ensureDevKeyFile(dev), dev);
  assert.deepEqual(codecKeysFromEnv({}, dev)!.keys, devKeys.keys, 'the dev key is generated once');
  const short = 'c2hvcnQta2V5LXZhbHVl';
  assert.throws(() => parseKeyList(`a:${short}`), (e: Error) => e instanceof CodecKeyError && /key "a" must be 32 bytes/.test(e.message) && !e.message.includes(short));
  assert.throws(() => parseKeyList(`a:${K1},a:${K2}`), /given twice/);
  assert.throws(() => parseKeyList('just-a-key'), /"id:key"/);
  writeFileSync(file, JSON.stringify({ current: 'zz', keys: { a: K1 } }));
  assert.throws(() => readKeyFile(file), /current key "zz" is not in "keys"/);
});

test('codec server: /encode and /decode in proto3 JSON, namespace routes, CORS for the UI origin only', async () => {
  const codec = new AesGcmCodec(parseKeyList(`k1:${K1}`));
  const server = await startCodecServer({ codec, port: 0, origins: ['http://127.0.0.1:8233'], namespaces: ['default'] });
  try {
    const p = plain();
    const body = { payloads: [{ metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(p.data!).toString('base64') }] };
    const post = (path: string, b: unknown, headers: Record<string, string> = {}) =>
      fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers }, body: JSON.stringify(b) });
    const enc = await post('/encode', body);
    assert.equal(enc.status, 200);
    const encoded = (await enc.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(encoded.payloads[0].metadata.encoding, 'base64').toString(), 'binary/encrypted');
    assert.ok(!Buffer.from(encoded.payloads[0].data, 'base64').toString('latin1').includes('ACME-7731'));
    const dec = await post('/default/decode', encoded, { Origin: 'http://127.0.0.1:8233' });
    assert.equal(dec.status, 200);
    assert.equal(dec.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8233');
    const decoded = (await dec.json()) as typeof encoded;
    assert.deepEqual(JSON.parse(Buffer.from(decoded.payloads[0].data, 'base64').toString()), { prompt: secretText, custom_id: 'request-1' });

    const preflight = await fetch(server.url + '/decode', { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:8233', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    assert.equal((await post('/decode', encoded, { Origin: 'http://evil.example' })).status, 403);
    assert.equal((await post('/decode', encoded, { 'X-Namespace': 'other' })).status, 403);
    assert.equal((await post('/nope', encoded)).status, 404);
    assert.equal((await fetch(server.url + '/decode')).status, 405);
    assert.equal((await post('/decode', { payloads: 'x' })).status, 400);
    const wrong = await startCodecServer({ codec: new AesGcmCodec(parseKeyList(`k9:${K2}`)), port: 0, origins: [] });
    try {
      const r = await fetch(wrong.url + '/decode', { method: 'POST', body: JSON.stringify(encoded) });
      assert.equal(r.status, 422);
      assert.match(((await r.json()) as { message: string }).message, /key id "k1"/);
    } finally {
      await wrong.close();
    }
  } finally {
    await server.close();
  }
});

test('the codec-server command serves the keys of its environment, and refuses to start without keys', async () => {
  const { spawn } = await import('node:child_process');
  const { PROJECT_ROOT } = await import('../../src/temporal/dev-server');
  const bin = join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js');
  const child = spawn(process.execPath, [bin, 'codec-server', '--port', '0', '--ui-origin', 'http://127.0.0.1:9999'], { env: { ...process.env, ARAZZO_CODEC_KEYS: `cli-k:${K1}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const [enc] = await new AesGcmCodec(parseKeyList(`cli-k:${K1}`)).encode([plain()]);
    const body = { payloads: [{ metadata: Object.fromEntries(Object.entries(enc.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(enc.data!).toString('base64') }] };
    const r = await fetch(`${url}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: 'http://127.0.0.1:9999' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), 'http://127.0.0.1:9999');
    const decoded = (await r.json()) as { payloads: { data: string }[] };
    assert.match(Buffer.from(decoded.payloads[0].data, 'base64').toString(), /ACME-7731/);
  } finally {
    child.kill('SIGTERM');
  }
  const refused = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const c = spawn(process.execPath, [bin, 'codec-server', '--port', '0'], { env: { ...process.env, ARAZZO_CODEC_KEYS: 'none' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.once('exit', (code) => resolve({ code, err }));
  });
  assert.equal(refused.code, 2);
  assert.match(refused.err, /codec-server needs codec keys: set ARAZZO_CODEC_KEYS/);
});
