// Reading a document from a path or an http(s) URL, and resolving relative references against it.
// This is I/O: it runs in the client and the CLI, never in workflow code.
import axios from 'axios';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

export async function readText(location: string): Promise<string> {
  if (isUrl(location)) {
    const res = await axios.get<string>(location, { responseType: 'text', transformResponse: (x) => x, timeout: 30_000 });
    return res.data;
  }
  return readFile(localPath(location), 'utf8');
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

export function toFileUrl(location: string): string {
  return isUrl(location) ? location : pathToFileURL(resolvePath(location)).toString();
}
