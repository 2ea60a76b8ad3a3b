// Compile once per document: prepareDocument's result cached by the sha256 of the document's text, its overlays
// and the compile options, while every file the compile read (source descriptions, referenced Arazzo documents,
// overlay files) is unchanged. A changed file is found by its size and mtime, then by the sha256 of its text (a
// touched but unchanged file is still a hit); a URL the compile read counts as unchanged for REMOTE_TTL_MS.
// Used by the client (ArazzoClient.prepare: start, schedules, dev's seeds) and by the worker's prepareRun activity,
// which passes its document roots' guard with a guardKey naming the roots (a guard decides what may be read, so a
// compile made under one set of roots is never handed out under another).
import { readFile, stat } from 'node:fs/promises';
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

async function fileState(location: string): Promise<FileState> {
  if (isUrl(location)) return { location };
  const path = localPath(location);
  try {
    const [info, bytes] = await Promise.all([stat(path), readFile(path)]);
    return { location, size: info.size, mtimeMs: info.mtimeMs, sha256: sha256(bytes.toString('utf8')) };
  } catch {
    return { location };
  }
}

/** Whether a file the compile read is as it was then (a file that could not be read then never is). */
async function unchanged(entry: Entry, r: FileState): Promise<boolean> {
  if (isUrl(r.location)) return Date.now() - entry.at < REMOTE_TTL_MS;
  if (r.sha256 === undefined) return false;
  try {
    const info = await stat(localPath(r.location));
    if (info.size === r.size && info.mtimeMs === r.mtimeMs) return true;
    const now = await fileState(r.location);
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

/** The key: the document's text, the overlays' texts and every compile option, hashed. */
async function keyOf(docLocation: string, text: string, opts: CacheOptions): Promise<string> {
  const overlays = await Promise.all(
    (opts.overlays ?? []).map(async (o) =>
      typeof o === 'string' ? ['file', o, sha256(await readText(o))] : ['loaded', JSON.stringify(o)],
    ),
  );
  const { workflowId, sources, servers, poll, strict, offline } = opts;
  return sha256(
    JSON.stringify([
      process.cwd(),
      isUrl(docLocation) ? docLocation : resolve(localPath(docLocation)),
      sha256(text),
      overlays,
      { workflowId, sources, servers, poll, strict, offline },
      opts.guardKey ?? null,
    ]),
  );
}

/**
 * prepareDocument, compiled once per document: a hit returns the cached compile (a copy of the Prepared; the plan
 * is shared and must not be changed). A document that fails to compile is not cached; a guarded compile is cached
 * only under its guardKey, and the guard still sees every location the compile reads.
 */
export async function preparePlan(docLocation: string, opts: CacheOptions = {}): Promise<Prepared> {
  const { guardKey, ...prepareOpts } = opts;
  if (prepareOpts.guard && guardKey === undefined) return prepareDocument(docLocation, prepareOpts);
  let text: string;
  let key: string;
  try {
    text = opts.text ?? (await readText(docLocation));
    key = await keyOf(docLocation, text, opts);
  } catch {
    return prepareDocument(docLocation, prepareOpts); // it reports what cannot be read
  }
  const hit = cache.get(key);
  if (hit && (await Promise.all(hit.reads.map((r) => unchanged(hit, r)))).every(Boolean)) {
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
  const entry: Entry = { prepared, reads: await Promise.all([...read].map(fileState)), at: Date.now() };
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
}
