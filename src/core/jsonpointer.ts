// JSON Pointer (RFC 6901): read a value, or write one into an immutable copy (request body replacements).
// Pure code: runs inside the Temporal workflow sandbox.

export class JsonPointerError extends Error {
  constructor(
    readonly pointer: string,
    reason: string,
  ) {
    super(`Invalid JSON Pointer '${pointer}': ${reason}`);
    this.name = 'JsonPointerError';
  }
}

export interface PointerOptions {
  /** The pointer is a URI fragment (`#/paths/~1pets`): strip the `#` and percent-decode it first. */
  uriFragment?: boolean;
}

/** Splits a pointer into unescaped reference tokens. '' is the whole document. */
export function parsePointer(pointer: string, opts: PointerOptions = {}): string[] {
  let text = pointer;
  if (opts.uriFragment) {
    if (text.startsWith('#')) text = text.slice(1);
    try {
      text = decodeURIComponent(text);
    } catch {
      throw new JsonPointerError(pointer, 'bad percent-encoding');
    }
  }
  if (text === '') return [];
  if (!text.startsWith('/')) throw new JsonPointerError(pointer, "it must be empty or start with '/'");
  return text
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) throw new JsonPointerError(pointer, "'~' must be followed by 0 or 1");
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function child(value: unknown, token: string): unknown {
  if (Array.isArray(value)) return ARRAY_INDEX.test(token) ? value[Number(token)] : undefined;
  if (isContainer(value) && Object.hasOwn(value, token)) return (value as Record<string, unknown>)[token];
  return undefined;
}

/** The value the pointer designates, or undefined when it does not exist. */
export function getPointer(doc: unknown, pointer: string, opts?: PointerOptions): unknown {
  let value = doc;
  for (const token of parsePointer(pointer, opts)) {
    value = child(value, token);
    if (value === undefined) return undefined;
  }
  return value;
}

/**
 * A copy of `doc` with `value` written at `pointer` (JSON Patch "add"/"replace" semantics): the parent must exist;
 * on an array the last token may be an index up to the length, or '-' to append. Only the path is copied.
 */
export function setPointer<T>(doc: T, pointer: string, value: unknown, opts?: PointerOptions): T {
  return write(doc, parsePointer(pointer, opts), value, pointer) as T;
}

function write(node: unknown, tokens: string[], value: unknown, pointer: string): unknown {
  if (tokens.length === 0) return value;
  const [token, ...rest] = tokens;
  if (Array.isArray(node)) {
    const index = token === '-' ? node.length : ARRAY_INDEX.test(token) ? Number(token) : -1;
    const limit = rest.length === 0 ? node.length : node.length - 1;
    if (index < 0 || index > limit) throw new JsonPointerError(pointer, `no array element '${token}'`);
    const copy = node.slice();
    copy[index] = write(node[index], rest, value, pointer);
    return copy;
  }
  if (isContainer(node)) {
    if (rest.length > 0 && !Object.hasOwn(node, token)) throw new JsonPointerError(pointer, `no member '${token}'`);
    const copy: Record<string, unknown> = { ...node };
    // defineProperty, not assignment: a '__proto__' token must become a plain key.
    Object.defineProperty(copy, token, {
      value: write((node as Record<string, unknown>)[token], rest, value, pointer),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return copy;
  }
  throw new JsonPointerError(pointer, `cannot descend into a ${node === null ? 'null' : typeof node} at '${token}'`);
}

/** The pointer of a list of reference tokens, escaped (`~` → `~0`, `/` → `~1`). */
export function pointerOf(tokens: string[]): string {
  return tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
