// Arazzo 1.1 `$self` and the base URI of relative references (1.1, "Establishing the Base URI" and "Identity-Based
// Referencing"): a document's `$self`, when present, is its base URI (a relative one first resolved against the
// retrieval location); a source description's relative `url` resolves against it. Without `$self` the base is the
// retrieval location, as in 1.0.
//
// When `$self` moves the base elsewhere (a document read from disk that names its published https URI), the
// reference is an identifier there. The file at the same relative place beside the document is read when it
// identifies as that URI (its own `$self`); when it exists but does not, it is still read (retrieval-relative
// resolution, which the spec allows but calls not interoperable) with a warning saying what the spec resolves
// the reference to. Only when there is no such file is the identifier itself fetched. I/O: client and worker only.
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import type { Diagnostic, SourcePos } from '../core/types';
import { isUrl, localPath, resolveLocation } from './read-source';

/** Where a source description is read from, and the URI that identifies it. */
export interface SourcePlace {
  /** what to read: a path or a URL */
  location: string;
  /** the reference resolved against the base URI; `location` unless `$self` moved the base */
  identity: string;
  warning?: string;
}

const HEAD_BYTES = 64 * 1024;

/** The `$self` a document declares near its top (YAML `$self: …` or JSON `"$self": "…"`), read without parsing it all. */
export function declaredSelf(path: string): string | undefined {
  let head = '';
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      head = buf.subarray(0, readSync(fd, buf, 0, HEAD_BYTES, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  // YAML: a top-level key starts its line; JSON: the first "$self" member
  const m =
    /^(?:"\$self"|'\$self'|\$self)[ \t]*:[ \t]*(?:"([^"]*)"|'([^']*)'|([^\s#]+))/m.exec(head) ?? /"\$self"\s*:\s*"([^"]*)"/.exec(head);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/** A document's base URI: its `$self` (resolved against where it was read when relative), or where it was read. */
export function baseUri(retrieval: string, self: unknown): string {
  if (typeof self !== 'string' || self === '') return retrieval;
  return resolveLocation(retrieval, self);
}

/**
 * Where a source description `url` named by a document read at `retrieval`, with `$self` `self`, is read from;
 * `override` (--source) replaces it.
 */
export function sourcePlace(retrieval: string, self: unknown, url: string, override?: string): SourcePlace {
  if (override !== undefined) return { location: override, identity: override };
  const base = baseUri(retrieval, self);
  const identity = resolveLocation(base, url);
  if (base === retrieval) return { location: identity, identity };
  const local = resolveLocation(retrieval, url);
  if (!isUrl(identity) || isUrl(local) || local === identity || !existsSync(localPath(local))) return { location: identity, identity };
  const declared = declaredSelf(localPath(local));
  if (declared === identity) return { location: local, identity };
  return {
    location: local,
    identity,
    warning:
      `source url "${url}" resolves against $self (${String(self)}) to ${identity}; ${local} beside the document is read instead, ` +
      `though it does not identify as that URI (${declared ? `its $self is ${declared}` : 'it has no $self'}): give it ` +
      `\`$self: ${identity}\`, or name the source with --source`,
  };
}

/** The warning of a source read beside the document rather than at the URI `$self` resolves it to. */
export function selfBaseWarning(message: string, pos: SourcePos | undefined): Diagnostic {
  return { severity: 'warning', code: 'self-base', message, ...(pos && { pos }) };
}
