// Reading a document from a path or an http(s) URL, and resolving relative references against it.
// This is I/O: it runs in the client and the CLI, never in workflow code.
import type { AxiosStatic } from 'axios';
import { AsyncLocalStorage } from 'node:async_hooks';
import type https from 'node:https';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentError } from '../core/diagnostics';
import { LIMITS, decodeDocument } from '../core/limits';

export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** A file:// URL as a filesystem path; anything else unchanged. */
export function localPath(location: string): string {
  return location.startsWith('file://') ? fileURLToPath(location) : location;
}

/** Resolve `ref` against the location of the document that names it. */
export function resolveLocation(base: string, ref: string): string {
  if (isUrl(ref) || isAbsolute(ref)) return ref;
  if (ref.startsWith('file://')) return fileURLToPath(ref);
  if (isUrl(base)) return new URL(ref, base).toString();
  return resolvePath(dirname(localPath(base)), ref);
}

/**
 * What may be fetched while a worker prepares a run: `problem` says why a URL (the first one, or a redirect's target)
 * is refused; `agent` connects only where the policy lets it (its lookup checks each address at connect time).
 */
export interface UrlFetchPolicy {
  problem(url: string): string | undefined;
  /** an agent for fetching `location` (its redirects included) */
  agent(location: string): https.Agent;
  /** told of every refusal, before the read fails */
  refused(why: string): void;
}

const policyScope = new AsyncLocalStorage<UrlFetchPolicy>();

/** Run `fn` with every URL that readText fetches in it (documents, sources, overlays) under `policy`. */
export function withUrlPolicy<T>(policy: UrlFetchPolicy, fn: () => Promise<T>): Promise<T> {
  return policyScope.run(policy, fn);
}

/** The policy withUrlPolicy set for the current call, if any. */
export function currentUrlPolicy(): UrlFetchPolicy | undefined {
  return policyScope.getStore();
}

/** Axios options of a fetch under the current policy: its agent, no proxy, and every redirect hop checked. */
function policyOptions(location: string): Record<string, unknown> {
  const policy = policyScope.getStore();
  if (!policy) return {};
  const why = policy.problem(location);
  if (why) {
    policy.refused(`${location}: ${why}`);
    throw new Error(`${location} refused: ${why}`);
  }
  const beforeRedirect = (options: Record<string, unknown>) => {
    const target = String(
      options.href ?? `${options.protocol}//${options.hostname}${options.port ? `:${options.port}` : ''}${options.path ?? ''}`,
    );
    const problem = policy.problem(target);
    if (problem) {
      policy.refused(`${location} redirects to ${target}: ${problem}`);
      throw new Error(`redirect to ${target} refused: ${problem}`);
    }
  };
  return { httpsAgent: policy.agent(location), proxy: false, beforeRedirect };
}

// Local files are read asynchronously (a worker's event loop serves other activities meanwhile), except in a process
// that runs one command and nothing else beside it (validate, graph): there each await on the thread pool only adds
// its round trip (≈ 0.5 ms a file, more on a busy machine; 50 documents read as many files and stat their sources).
let syncReads = false;

/** Read local files synchronously from now on in this process (the CLI's validate and graph). */
export function readFilesSynchronously(): void {
  syncReads = true;
}

/** fs.stat of a local path, sync or not as readFilesSynchronously says. */
export function statLocal(path: string): Promise<Stats> | Stats {
  return syncReads ? statSync(path) : stat(path);
}

/** The text of a document: refused (DocumentError) over `maxBytes` or when it is not UTF-8 (src/core/limits.ts). */
export async function readText(location: string, maxBytes: number = LIMITS.documentBytes): Promise<string> {
  const file = displayLocation(location);
  if (isUrl(location)) {
    let bytes: Uint8Array;
    try {
      // axios is loaded for the first remote source only: a document with local sources (and --offline) never loads it
      const axios = (require('axios') as { default: AxiosStatic }).default;
      const res = await axios.get<ArrayBuffer>(location, {
        responseType: 'arraybuffer',
        timeout: 30_000,
        maxContentLength: maxBytes,
        maxRedirects: 5,
        ...policyOptions(location),
      });
      bytes = new Uint8Array(res.data);
    } catch (err) {
      if (/maxContentLength/.test((err as Error).message)) {
        throw new DocumentError([
          {
            severity: 'error',
            code: 'limit-size',
            message: `the document is over the ${maxBytes / (1024 * 1024)} MiB limit`,
            pos: { file },
          },
        ]);
      }
      throw err;
    }
    return decodeDocument(bytes, file, maxBytes);
  }
  const path = localPath(location);
  const info = await statLocal(path);
  // a device or a pipe (/dev/zero, /dev/stdin) would be read for ever
  if (!info.isFile()) throw new Error(`${file} is not a regular file`);
  const size = info.size;
  if (size > maxBytes) return decodeDocument(new Uint8Array(size), file, maxBytes); // refused without reading it
  return decodeDocument(syncReads ? readFileSync(path) : await readFile(path), file, maxBytes);
}

/** A location made absolute: an http(s) URL as it is, a file (or file:// URL) as an absolute path. */
export function absoluteLocation(location: string): string {
  return isUrl(location) ? location : resolvePath(localPath(location));
}

/** A stable name for a location, used in messages and plans. */
export function displayLocation(location: string): string {
  if (isUrl(location)) return location;
  const rel = resolvePath(localPath(location));
  const cwd = process.cwd();
  return rel.startsWith(cwd + '/') ? rel.slice(cwd.length + 1) : rel;
}
