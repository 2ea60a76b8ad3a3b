// Compile once per document: prepareDocument's result cached by the sha256 of the document's text, its overlays
// and the compile options, while every file the compile read (source descriptions, referenced Arazzo documents,
// overlay files) is unchanged. A changed file is found by its size and mtime, then by the sha256 of its text (a
// touched but unchanged file is still a hit); a URL the compile read counts as unchanged for REMOTE_TTL_MS. A local
// document is read again only when its size or mtime changed (a start costs a stat of each file, no read).
// Used by the client (ArazzoClient.prepare: start, schedules, dev's seeds) and by the worker's prepareRun activity,
// which passes its document roots' guard with a guardKey naming the roots (a guard decides what may be read, so a
// compile made under one set of roots is never handed out under another).
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { sha256 } from './document-pin';
import { prepareDocument, type PrepareOptions, type Prepared } from './prepare';
import { isUrl, localPath, readText } from './read-source';

const CACHE_LIMIT = 200;
const REMOTE_TTL_MS = 5 * 60_000;

interface FileState {
  location: string;
  size?: number;
  mtimeMs?: number;
  sha256?: string;
}
interface Entry {
  prepared: Prepared;
  reads: FileState[];
  at: number;
}

const cache = new Map<string, Entry>();
const counts = { hits: 0, misses: 0 };

// Local files are checked synchronously: a stat of a small file takes microseconds, a trip through the thread pool
// ≈ 0.5 ms, and more under load (a start waited for several of them).
function fileState(location: string): FileState {
  if (isUrl(location)) return { location };
  const path = localPath(location);
  try {
    const info = statSync(path);
    return { location, size: info.size, mtimeMs: info.mtimeMs, sha256: sha256(readFileSync(path, 'utf8')) };
  } catch {
    return { location };
  }
}

/** Whether a file the compile read is as it was then (a file that could not be read then never is). */
function unchanged(entry: Entry, r: FileState): boolean {
  if (isUrl(r.location)) return Date.now() - entry.at < REMOTE_TTL_MS;
  if (r.sha256 === undefined) return false;
  try {
    const info = statSync(localPath(r.location));
    if (info.size === r.size && info.mtimeMs === r.mtimeMs) return true;
    const now = fileState(r.location);
    if (now.sha256 !== r.sha256) return false;
    Object.assign(r, now); // touched, not changed
    return true;
  } catch {
    return false;
  }
}

export interface CacheOptions extends PrepareOptions {
  /** names what the guard allows (e.g. the document roots); without it a guarded compile is not cached */
  guardKey?: string;
}

/** Every compile option but the overlays, and what names the guard: part of both keys. */
function optionParts(opts: CacheOptions): unknown[] {
  const { workflowId, sources, servers, poll, strict, offline } = opts;
  return [{ workflowId, sources, servers, poll, strict, offline }, opts.guardKey ?? null];
}

/** The key: the document's text, the overlays' texts and every compile option, hashed. */
async function keyOf(docLocation: string, textSha: string, opts: CacheOptions): Promise<string> {
  const overlays = await Promise.all(
    (opts.overlays ?? []).map(async (o) =>
      typeof o === 'string' ? ['file', o, sha256(await readText(o))] : ['loaded', JSON.stringify(o)],
    ),
  );
  return sha256(
    JSON.stringify([
      process.cwd(),
      isUrl(docLocation) ? docLocation : resolve(localPath(docLocation)),
      textSha,
      overlays,
      ...optionParts(opts),
    ]),
  );
}

/** The local documents' texts as last read, by location: read again only when the file's size or mtime changed. */
const texts = new Map<string, { size: number; mtimeMs: number; text: string; sha256: string }>();

function knownText(location: string): { text: string; sha256: string } | undefined {
  if (isUrl(location)) return undefined;
  const path = resolve(localPath(location));
  const known = texts.get(path);
  if (!known) return undefined;
  try {
    const info = statSync(path);
    if (info.size === known.size && info.mtimeMs === known.mtimeMs) return known;
  } catch {
    /* gone: read it, and say why */
  }
  texts.delete(path);
  return undefined;
}

/** readText, remembering a local file's text with its size and mtime as they were before the read. */
async function readDocument(location: string): Promise<string> {
  if (isUrl(location)) return readText(location);
  const path = resolve(localPath(location));
  const info = statSync(path);
  const text = await readText(location);
  if (texts.size >= CACHE_LIMIT) texts.delete(texts.keys().next().value as string);
  texts.set(path, { size: info.size, mtimeMs: info.mtimeMs, text, sha256: sha256(text) });
  return text;
}

/** Preparations in flight, by what keyOf hashes bar the texts (read once the preparation runs). */
const inflight = new Map<string, Promise<Prepared>>();

/**
 * prepareDocument, compiled once per document: a hit returns the cached compile (a copy of the Prepared; the plan
 * is shared and must not be changed). A document that fails to compile is not cached; a guarded compile is cached
 * only under its guardKey, and the guard still sees every location the compile reads. Calls for the same document
 * and options while one is in flight share it (200 runs started at once read and check the files once, not 200
 * times); each gets its own copy.
 */
export async function preparePlan(docLocation: string, opts: CacheOptions = {}): Promise<Prepared> {
  if (opts.text !== undefined || (opts.guard && opts.guardKey === undefined)) return prepareOnce(docLocation, opts);
  const k = JSON.stringify([process.cwd(), docLocation, opts.overlays ?? [], ...optionParts(opts)]);
  let running = inflight.get(k);
  if (!running) {
    running = prepareOnce(docLocation, opts).finally(() => inflight.delete(k));
    inflight.set(k, running);
  }
  return { ...(await running) };
}

async function prepareOnce(docLocation: string, opts: CacheOptions): Promise<Prepared> {
  const { guardKey, ...prepareOpts } = opts;
  if (prepareOpts.guard && guardKey === undefined) return prepareDocument(docLocation, prepareOpts);
  let text: string;
  let key: string;
  try {
    const known = opts.text === undefined ? knownText(docLocation) : undefined;
    text = opts.text ?? known?.text ?? (await readDocument(docLocation));
    key = await keyOf(docLocation, known?.sha256 ?? sha256(text), opts);
  } catch {
    return prepareDocument(docLocation, prepareOpts); // it reports what cannot be read
  }
  const hit = cache.get(key);
  if (hit && hit.reads.every((r) => unchanged(hit, r))) {
    counts.hits++;
    cache.delete(key); // most recently used last
    cache.set(key, hit);
    return { ...hit.prepared };
  }
  counts.misses++;
  const read = new Set<string>();
  const guard = async (location: string) => {
    await prepareOpts.guard?.(location);
    read.add(location);
  };
  const prepared = await prepareDocument(docLocation, { ...prepareOpts, text, guard });
  const entry: Entry = { prepared, reads: [...read].map(fileState), at: Date.now() };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, entry);
  return { ...prepared };
}

/** Hits and misses since the process started, and the plans held (tests, bench). */
export function planCacheStats(): { hits: number; misses: number; size: number } {
  return { ...counts, size: cache.size };
}

/** Forget every cached plan (tests, bench). */
export function clearPlanCache(): void {
  cache.clear();
  texts.clear();
}
