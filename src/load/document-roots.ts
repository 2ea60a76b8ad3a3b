// Where a worker may read documents from when a run request names one: files under its document roots
// (--documents <dir>, ARAZZO_DOCUMENTS), and https URLs that do not point at private addresses. A path that
// escapes a root (`..`, a symlink, an absolute path elsewhere) is refused before anything is read.
// The URL rule is simple: https only, and no address the outbound policy classes as loopback, private, link-local
// or metadata, checked on the DNS answer before the fetch (not at connect time, unlike the steps' requests).
import { realpath } from 'node:fs/promises';
import https from 'node:https';
import { isIP } from 'node:net';
import { delimiter, isAbsolute, relative, resolve, sep } from 'node:path';
import { currentUrlPolicy, isUrl, localPath, type UrlFetchPolicy } from './read-source';
import { addressClass, publicOnlyLookup, resolveAll } from '../activities/outbound-policy';

export class RefusedLocation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedLocation';
  }
}

/** The roots from ARAZZO_DOCUMENTS (separated like PATH), or none. */
export function rootsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.ARAZZO_DOCUMENTS ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((r) => resolve(r));
}

const within = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
};

async function realRoots(roots: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of roots) {
    try {
      out.push(await realpath(r));
    } catch {
      /* a root that does not exist holds nothing */
    }
  }
  return out;
}

/**
 * The absolute path of `path` (relative to a root, or absolute) when it is a file under one of `roots`, its
 * symlinks resolved; otherwise RefusedLocation. Relative paths are tried against each root in order.
 */
export async function resolveUnderRoots(path: string, roots: string[]): Promise<string> {
  if (!roots.length)
    throw new RefusedLocation(
      `this worker has no document roots, so it reads no files (start it with --documents <dir> or ARAZZO_DOCUMENTS); "${path}" refused`,
    );
  const real = await realRoots(roots);
  const file = localPath(path);
  const candidates = isAbsolute(file) ? [resolve(file)] : roots.map((r) => resolve(r, file));
  let found = false;
  for (const [i, candidate] of candidates.entries()) {
    // lexically first: `..` out of the root is refused even if the target exists
    if (!isAbsolute(file) && !within(resolve(roots[i]), candidate))
      throw new RefusedLocation(`"${path}" leaves the document root ${roots[i]} (..)`);
    let target: string;
    try {
      target = await realpath(candidate);
    } catch {
      continue;
    }
    found = true;
    if (real.some((r) => within(r, target))) return target;
  }
  if (found)
    throw new RefusedLocation(
      `"${path}" is not under a document root of this worker (${roots.join(', ')}); symlinks are followed before this check`,
    );
  throw new RefusedLocation(`"${path}" was not found under the document roots of this worker (${roots.join(', ')})`);
}

/** Loopback, private, link-local, metadata and other special-purpose addresses: the outbound policy's classes. */
export function isPrivateAddress(ip: string): boolean {
  return addressClass(ip) !== undefined;
}

/** Refuse a URL the worker must not fetch: anything but https, or a host that resolves to a private address. */
export async function checkUrl(url: string): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RefusedLocation(`"${url}" is not a valid URL`);
  }
  if (u.protocol !== 'https:') throw new RefusedLocation(`"${url}": only https URLs are fetched`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await resolveAll(host).catch(() => [])).map((a) => a.address);
  if (!addresses.length) throw new RefusedLocation(`"${url}": cannot resolve ${host}`);
  const bad = addresses.find(isPrivateAddress);
  if (bad) throw new RefusedLocation(`"${url}": ${host} is a private or loopback address (${bad}); refused`);
}

/** A guard for prepareDocument: files under the roots, https URLs to public addresses (a refusal is told to the URL policy in force). */
export function rootsGuard(roots: string[], read?: Set<string>): (location: string) => Promise<void> {
  return async (location) => {
    if (isUrl(location))
      await checkUrl(location).catch((err: unknown) => {
        if (err instanceof RefusedLocation) currentUrlPolicy()?.refused(err.message);
        throw err;
      });
    else await resolveUnderRoots(location, roots);
    read?.add(location);
  };
}

/** Why a URL the worker would fetch to prepare a run (or a redirect's target) is refused: not https, or a private IP. */
export function documentUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (u.protocol !== 'https:') return `the ${u.protocol} scheme is refused: only https URLs are fetched`;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const kind = isIP(host) ? addressClass(host) : undefined;
  return kind ? `${host} is a ${kind} address, which is refused` : undefined;
}

/**
 * The outbound policy of what a worker fetches to prepare a run: https only, public addresses only, at every
 * redirect hop and when each socket connects. `refusals` collects why anything was refused.
 */
export function documentFetchPolicy(refusals: string[]): UrlFetchPolicy {
  const refused = (why: string) => void refusals.push(why);
  return {
    problem: documentUrlProblem,
    agent: (location) => new https.Agent({ lookup: publicOnlyLookup((why) => refused(`${location}: ${why}`)) } as https.AgentOptions),
    refused,
  };
}
