// Parse YAML or JSON text into a plain object while keeping positions, so every diagnostic can name
// file:line:column. JSON is YAML, so one parser serves both.
import { LineCounter, parseDocument, isMap, isNode, isScalar, visit, type Document } from 'yaml';
import type { Diagnostic, SourcePos } from '../core/types';

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

export function parseWithPositions(text: string, file: string): ParsedText {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const posAt = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const errors: Diagnostic[] = doc.errors.map((e) => ({
    severity: 'error',
    code: 'yaml-syntax',
    message: e.message.split('\n')[0],
    pos: posAt(e.pos[0]),
  }));
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
  // An alias inside the node it refers to (`a: &x {b: *x}`) would make a cyclic value that no check can walk.
  if (!errors.length) {
    visit(doc, {
      Alias(_key, node, path) {
        const target = node.resolve(doc);
        if (target && path.includes(target as never)) {
          errors.push({ severity: 'error', code: 'yaml-syntax', message: `alias *${node.source} refers to a node that contains it (a cycle)`, pos: node.range ? posAt(node.range[0]) : { file } });
        }
      },
    });
  }
  let value: unknown;
  try {
    value = errors.length ? undefined : doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    errors.push({ severity: 'error', code: 'yaml-syntax', message: (err as Error).message, pos: { file } });
  }
  return { file, value, locate, locateKey, errors };
}

/** Format a path the way messages show it: workflows[0].steps[2].onSuccess */
export function formatPath(path: PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
