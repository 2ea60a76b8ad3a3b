// Payload encryption keys: where they come from, and the dev key `arazzo-temporal dev` generates.
//
// A key set has a current key (new payloads are encrypted with it) and any number of older keys (payloads
// written with them can still be read), each with an id that is stored in the payload's metadata. Sources, first
// match wins:
//   ARAZZO_CODEC_KEYS      "id:key,id:key" — the first is current; a key is 32 bytes, base64 or 64 hex digits;
//                          "none" turns encryption off
//   ARAZZO_CODEC_KEY_FILE  a JSON file {"current": "id", "keys": {"id": "<key>", ...}}
//   .data/codec-keys.json  the local key `dev` generated on its first start (when the file exists)
// With none of them, payloads are written in plaintext and an encrypted payload cannot be read (a clear error).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../temporal/dev-server';

export const KEY_BYTES = 32;
export const DEV_KEY_FILE = join(PROJECT_ROOT, '.data', 'codec-keys.json');

export interface CodecKeys {
  /** id of the key new payloads are encrypted with */
  currentId: string;
  /** every known key by id, the current one included */
  keys: Map<string, Buffer>;
  /** where the keys came from, for messages (never the keys themselves) */
  source: string;
}

export class CodecKeyError extends Error {
  override name = 'CodecKeyError';
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

function parseKey(id: string, text: string, source: string): Buffer {
  if (!KEY_ID.test(id)) throw new CodecKeyError(`${source}: key id "${id.slice(0, 70)}" must be 1-64 letters, digits, ".", "_" or "-"`);
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  // the key's value is never part of a message
  if (key.length !== KEY_BYTES)
    throw new CodecKeyError(`${source}: key "${id}" must be ${KEY_BYTES} bytes (base64 or 64 hex digits), it has ${key.length}`);
  return key;
}

/** "id:key,id:key": the first is current. */
export function parseKeyList(text: string, source = 'ARAZZO_CODEC_KEYS'): CodecKeys {
  const keys = new Map<string, Buffer>();
  let currentId: string | undefined;
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = item.indexOf(':');
    if (at <= 0) throw new CodecKeyError(`${source}: expected "id:key" entries separated by commas`);
    const id = item.slice(0, at);
    if (keys.has(id)) throw new CodecKeyError(`${source}: key id "${id}" is given twice`);
    keys.set(id, parseKey(id, item.slice(at + 1), source));
    currentId ??= id;
  }
  if (!currentId) throw new CodecKeyError(`${source} is empty: give "id:key[,id:key...]" or "none"`);
  return { currentId, keys, source };
}

/** {"current": "id", "keys": {"id": "<key>"}} */
export function readKeyFile(file: string): CodecKeys {
  let parsed: { current?: unknown; keys?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CodecKeyError(`codec key file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'not valid JSON'}`);
  }
  const entries = parsed && typeof parsed.keys === 'object' && parsed.keys ? Object.entries(parsed.keys as Record<string, unknown>) : [];
  if (!entries.length) throw new CodecKeyError(`codec key file ${file}: "keys" must be an object of id → key`);
  const keys = new Map<string, Buffer>();
  for (const [id, value] of entries) {
    if (typeof value !== 'string') throw new CodecKeyError(`codec key file ${file}: key "${id}" must be a string`);
    keys.set(id, parseKey(id, value, `codec key file ${file}`));
  }
  const currentId = typeof parsed.current === 'string' ? parsed.current : entries[0][0];
  if (!keys.has(currentId)) throw new CodecKeyError(`codec key file ${file}: current key "${currentId}" is not in "keys"`);
  return { currentId, keys, source: file };
}

/** The key set this process is configured with, or undefined when encryption is off. */
export function codecKeysFromEnv(env: NodeJS.ProcessEnv = process.env, devKeyFile = DEV_KEY_FILE): CodecKeys | undefined {
  const list = env.ARAZZO_CODEC_KEYS?.trim();
  if (list === 'none') return undefined;
  if (list) return parseKeyList(list);
  if (env.ARAZZO_CODEC_KEY_FILE) return readKeyFile(env.ARAZZO_CODEC_KEY_FILE);
  if (existsSync(devKeyFile)) return readKeyFile(devKeyFile);
  return undefined;
}

/** A new random key in the key file's format. */
export function newKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** The dev key file: created with one random key (mode 0600) when missing. Returns its path; prints nothing. */
export function ensureDevKeyFile(file = DEV_KEY_FILE): string {
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  const id = `dev-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  writeFileSync(file, JSON.stringify({ current: id, keys: { [id]: newKey() } }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return file;
}
