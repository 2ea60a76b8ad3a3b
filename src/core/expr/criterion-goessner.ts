// JSONPath criteria of version draft-goessner-dispatch-jsonpath-00, on jsonpath-plus (bundled in its browser build
// in the workflow sandbox, without node:vm, and only used with eval: 'safe').
import type { JSONPath as JSONPathFunction } from 'jsonpath-plus';
import type { Criterion, ExpressionContext } from '../types';
import type { CriterionAst } from './ast';
import { contextValue, emptyContext, type CriterionResult } from './criterion-context';
import { CriterionError } from './errors';
import { templateText } from './template';

export const GOESSNER_VERSION = 'draft-goessner-dispatch-jsonpath-00';

/**
 * jsonpath-plus, loaded at the first goessner JSONPath, so not with the core's preload (src/core/preloaded.ts): it
 * caches into its exports, which the SDK deep-freezes in a preloaded module; most runs never need it.
 */
export const goessnerJsonPath = (): typeof JSONPathFunction => (require('jsonpath-plus') as { JSONPath: typeof JSONPathFunction }).JSONPath;

/**
 * Filter and script expressions of a Goessner path (`[?(…)]`, `[(…)]`) that reach for code: a call, `constructor`,
 * `prototype`, `__proto__`, `this`. jsonpath-plus evaluates them in its own safe evaluator (eval: 'safe', never
 * node:vm), which has had bypasses (CVE-2024-21534, CVE-2025-1302): such filters are refused before it sees them.
 */
export function goessnerCodeReason(path: string): string | undefined {
  const code = path.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''"); // string literals cannot call anything
  // anywhere, also as members (@.constructor); the globals only as bare names (@.process is a field like any other)
  const reach =
    /(?:^|[^\w$])(constructor|prototype|__proto__|__defineGetter__|__defineSetter__|__lookupGetter__|__lookupSetter__)(?![\w$])/.exec(
      code,
    ) ?? /(?:^|[^\w$.@])(this|globalThis|process|require|Function|eval|import)(?![\w$])/.exec(code);
  if (reach) return `it names '${reach[1]}'`;
  const call = /([A-Za-z_$][\w$]*|[)\]])\s*\(/.exec(code.replace(/\[\s*\?\s*\(/g, '[?').replace(/\[\s*\(/g, '['));
  if (call) return `it calls a function (${call[1]}(…))`;
  if (/(?:^|[^=!<>])=(?!=)/.test(code)) return 'it assigns (=)';
  return undefined;
}

export function evaluateGoessner(c: Criterion, ast: Extract<CriterionAst, { type: 'jsonpath' }>, ctx: ExpressionContext): CriterionResult {
  const path = ast.template ? templateText(ast.template, ctx) : c.condition;
  const code = goessnerCodeReason(path);
  if (code) throw new CriterionError(c.condition, `JSONPath filters may not run code: ${code}`);
  const value = contextValue(c, ast.context, ctx);
  const wrap = /^\$\s*\[\s*\?/.test(path) && !Array.isArray(value);
  const mode = wrap ? 'jsonpath-goessner-wrapped' : 'jsonpath-goessner';
  if (value === undefined || value === null) return emptyContext(c, mode);
  try {
    const nodes: unknown[] = goessnerJsonPath()({ path, json: (wrap ? [value] : value) as object, eval: 'safe', wrap: true });
    return { passed: nodes.length > 0, mode, detail: `${nodes.length} node(s) matched` };
  } catch (e) {
    // jsep (the filter parser) marks syntax errors with an index; anything else is a data error (e.g. @.a.b on {}).
    if (typeof (e as { index?: unknown }).index === 'number')
      throw new CriterionError(c.condition, `invalid JSONPath: ${(e as Error).message}`);
    return { passed: false, mode, detail: `evaluation error: ${(e as Error).message}` };
  }
}
