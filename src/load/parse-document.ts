// Parse YAML or JSON text into a plain object while keeping positions, so every diagnostic can name
// file:line:column. JSON is YAML, so one parser serves both.
import {
  Composer,
  LineCounter,
  Parser,
  YAMLParseError,
  isMap,
  isNode,
  isScalar,
  visit,
  type CST,
  type Document,
  type DocumentOptions,
  type ParseOptions as YamlParseOptions,
  type SchemaOptions,
  type ToJSOptions,
} from 'yaml';
import type { Diagnostic, SourcePos } from '../core/types';
import { LIMITS, aliasLimitMessage, depthLimitMessage, tooDeepPath } from '../core/limits';

export type PathSegment = string | number;

export interface ParsedText {
  file: string;
  value: unknown;
  /** where a value sits in the text; falls back to the nearest ancestor that exists */
  locate(path: PathSegment[]): SourcePos;
  /** where the key of a mapping entry sits (`foo:` rather than its value); falls back to locate */
  locateKey(path: PathSegment[]): SourcePos;
  /** YAML syntax errors, as diagnostics (empty when the text parsed) */
  errors: Diagnostic[];
}

/**
 * Offset of the first collection nested deeper than `max`, from the token tree of yaml's parser (which, unlike its
 * composer, does not recurse), walked without recursion; undefined when none is.
 */
function tooDeepOffset(tokens: CST.Token[], max: number): number | undefined {
  const stack: { token: CST.Token | undefined; depth: number }[] = [];
  for (const token of tokens) stack.push({ token, depth: 0 });
  while (stack.length) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') stack.push({ token: token.value, depth });
    else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth >= max) return token.offset;
      for (const item of token.items) {
        const it = item as { key?: CST.Token | null; value?: CST.Token };
        if (it.key) stack.push({ token: it.key, depth: depth + 1 });
        stack.push({ token: it.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** Line and column of the first collection nested deeper than the limit, or undefined. */
export function yamlTooDeep(text: string, max: number = LIMITS.nestingDepth): { line: number; column: number } | undefined {
  const lineCounter = new LineCounter();
  const at = tooDeepOffset(Array.from(new Parser(lineCounter.addNewLine).parse(text)), max);
  if (at === undefined) return undefined;
  const { line, col } = lineCounter.linePos(at);
  return { line, column: col };
}

type YamlOptions = YamlParseOptions & DocumentOptions & SchemaOptions;

/**
 * yaml's parseDocument, with the depth check on the same token tree: the text is lexed and parsed once (a second
 * pass cost `validate` ~100 ms on the seeds). `tooDeep` (and no document) when a collection nests deeper than the limit.
 */
export function parseChecked(
  text: string,
  options: YamlOptions = {},
  lineCounter = new LineCounter(),
): { doc?: Document; tooDeep?: { line: number; column: number } } {
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const at = tooDeepOffset(tokens, LIMITS.nestingDepth);
  if (at !== undefined) {
    const { line, col } = lineCounter.linePos(at);
    return { tooDeep: { line, column: col } };
  }
  let doc: Document | undefined;
  for (const next of new Composer(options).compose(tokens, true, text.length)) {
    if (!doc) doc = next as Document;
    else {
      doc.errors.push(
        new YAMLParseError(
          next.range.slice(0, 2) as [number, number],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  return { doc };
}

/** yaml's parse (the value; the first error thrown), on one pass with the depth check. */
export function parseYamlValue(text: string, options: ToJSOptions): { value?: unknown; tooDeep?: { line: number; column: number } } {
  const { doc, tooDeep } = parseChecked(text);
  if (tooDeep || !doc) return { tooDeep };
  if (doc.errors.length) throw doc.errors[0];
  return { value: doc.toJS(options) };
}

export interface ParseOptions {
  /** the yaml package's alias count above which the text is refused (billion laughs) */
  maxAliases?: number;
}

type PosAt = (offset: number) => SourcePos;

/** Locators of a parsed document: a value's position, and a map key's. */
function locators(doc: Document, file: string, posAt: PosAt): Pick<ParsedText, 'locate' | 'locateKey'> {
  const locate = (path: PathSegment[]): SourcePos => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return posAt(node.range[0]);
    }
    return { file };
  };
  const locateKey = (path: PathSegment[]): SourcePos => {
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === path[path.length - 1]);
      if (pair && isNode(pair.key) && pair.key.range) return posAt(pair.key.range[0]);
    }
    return locate(path);
  };
  return { locate, locateKey };
}

/** Custom tags, __proto__ keys and self-containing aliases: YAML that parses but must not be read. */
function unsafeYaml(doc: Document, file: string, posAt: PosAt, errors: Diagnostic[]): void {
  // A tag the core schema does not know (`!!js/function`, `!foo`) is an error, not a string in disguise.
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED')
      errors.push({
        severity: 'error',
        code: 'yaml-syntax',
        message: `${w.message.split(' at line')[0]}: Arazzo documents use plain YAML, without custom tags`,
        pos: posAt(w.pos[0]),
      });
  }
  if (errors.length) return;
  // An alias inside the node it refers to (`a: &x {b: *x}`) would make a cyclic value that no check can walk.
  visit(doc, {
    Pair(_key, pair) {
      // an own __proto__ property slips past schema checks and replaces the prototype wherever the object is copied
      if (isScalar(pair.key) && pair.key.value === '__proto__') {
        errors.push({
          severity: 'error',
          code: 'yaml-syntax',
          message: 'a key named __proto__ is not allowed',
          pos: pair.key.range ? posAt(pair.key.range[0]) : { file },
        });
      }
    },
    Alias(_key, node, path) {
      const target = node.resolve(doc);
      if (target && path.includes(target as never)) {
        errors.push({
          severity: 'error',
          code: 'yaml-syntax',
          message: `alias *${node.source} refers to a node that contains it (a cycle)`,
          pos: node.range ? posAt(node.range[0]) : { file },
        });
      }
    },
  });
}

/** The document's value, with aliases expanded up to the limit (over it: an error at the first alias). */
function toValue(doc: Document, file: string, posAt: PosAt, maxAliases: number, errors: Diagnostic[]): unknown {
  try {
    return doc.toJS({ maxAliasCount: maxAliases });
  } catch (err) {
    const message = (err as Error).message;
    if (/alias count/i.test(message)) {
      let first: SourcePos = { file };
      visit(doc, {
        Alias(_key, node) {
          if (node.range) first = posAt(node.range[0]);
          return visit.BREAK;
        },
      });
      errors.push({ severity: 'error', code: 'limit-aliases', message: aliasLimitMessage(maxAliases), pos: first });
    } else errors.push({ severity: 'error', code: 'yaml-syntax', message, pos: { file } });
    return undefined;
  }
}

export function parseWithPositions(text: string, file: string, opts: ParseOptions = {}): ParsedText {
  const lineCounter = new LineCounter();
  const posAt: PosAt = (offset) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const { doc: parsed, tooDeep } = parseChecked(text, { prettyErrors: false, uniqueKeys: true }, lineCounter);
  if (tooDeep || !parsed) {
    // yaml's composer recurses per level: refuse before it runs out of stack
    const pos: SourcePos = { file, ...tooDeep };
    return {
      file,
      value: undefined,
      locate: () => pos,
      locateKey: () => pos,
      errors: [{ severity: 'error', code: 'limit-depth', message: depthLimitMessage('the document'), pos }],
    };
  }
  const doc: Document = parsed;
  const errors: Diagnostic[] = doc.errors.map((e) => ({
    severity: 'error',
    code: 'yaml-syntax',
    message: e.message.split('\n')[0],
    pos: posAt(e.pos[0]),
  }));
  const { locate, locateKey } = locators(doc, file, posAt);
  unsafeYaml(doc, file, posAt, errors);
  const value = errors.length ? undefined : toValue(doc, file, posAt, opts.maxAliases ?? LIMITS.documentAliases, errors);
  // aliases can nest a deep node inside another: the value is checked too
  const deep = errors.length ? undefined : tooDeepPath(value);
  if (deep)
    errors.push({
      severity: 'error',
      code: 'limit-depth',
      message: depthLimitMessage('the document (with its aliases expanded)'),
      pos: locate(deep),
    });
  return { file, value, locate, locateKey, errors };
}

/** Format a path the way messages show it: workflows[0].steps[2].onSuccess */
export function formatPath(path: PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
