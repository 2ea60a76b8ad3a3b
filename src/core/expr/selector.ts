// Arazzo 1.1 Selector Objects ({context, selector, type}) and their Expression Type Objects ({type, version}):
// jsonpath (rfc9535, the default, or draft-goessner-dispatch-jsonpath-00), xpath (xpath-31, the default, or
// xpath-30/20/10; fontoxpath reads them all as 3.1) and jsonpointer (rfc6901). The compiler turns each Selector
// Object of a 1.1 document into a plan selector, `{ $selector: {...} }`, normalized and checked; evaluation reads
// it wherever values are evaluated (src/core/expr/template.ts evaluateValue, step and workflow outputs).
// What a selector yields: the value of the one node it selects, an array of the values when it selects several,
// undefined (a null output) when it selects nothing. XPath items are their string values.
// Pure code: runs inside the Temporal workflow sandbox (xpath only where an engine is installed).
import { parseRfc9535, paths, query, type JsonValue } from '../jsonpath-rfc9535';
import { getPointer, parsePointer, pointerOf } from '../jsonpointer';
import type { ExpressionContext } from '../types';
import { xpathEngine } from '../xpath-engine';
import { goessnerCodeReason, goessnerJsonPath } from './criterion-goessner';
import { ExpressionError } from './errors';
import { evaluateExpression } from './evaluate-expression';
import { parseExpression } from './expression-reader';

export type SelectorType = 'jsonpath' | 'xpath' | 'jsonpointer';

/** A Selector Object as the plan carries it: the type and version always set. */
export interface PlanSelector {
  context: string;
  selector: string;
  type: SelectorType;
  version: string;
}

export interface SelectorValue {
  $selector: PlanSelector;
}

/** The versions each type allows (Arazzo 1.1, Expression Type Object), the default first. */
export const SELECTOR_VERSIONS: Record<SelectorType, readonly string[]> = {
  jsonpath: ['rfc9535', 'draft-goessner-dispatch-jsonpath-00'],
  xpath: ['xpath-31', 'xpath-30', 'xpath-20', 'xpath-10'],
  jsonpointer: ['rfc6901'],
};

/** A Selector Object that cannot be used: its message names the selector and why. */
export class SelectorError extends Error {
  constructor(
    readonly selector: string,
    reason: string,
  ) {
    super(`Selector '${selector}': ${reason}`);
    this.name = 'SelectorError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A Selector Object as a 1.1 document writes it: an object with `context` and `selector` (its other fields, `type`
 * and extensions, are checked by the schema and by toPlanSelector).
 */
export const isSelectorObject = (v: unknown): v is Obj => isObj(v) && 'context' in v && 'selector' in v && !('$selector' in v);

export const isSelectorValue = (v: unknown): v is SelectorValue =>
  isObj(v) && Object.keys(v).length === 1 && isObj(v.$selector) && typeof (v.$selector as Obj).selector === 'string';

/** The type and version of a `type` field (a name or an Expression Type Object); throws SelectorError. */
/** The name of a `type` field: the name itself, or an Expression Type Object's `type`. */
export const selectorTypeName = (type: unknown): unknown => (isObj(type) ? type.type : type);

export function selectorType(type: unknown, selector: string): { type: SelectorType; version: string } {
  const name = selectorTypeName(type);
  if (typeof name !== 'string' || !Object.hasOwn(SELECTOR_VERSIONS, name))
    throw new SelectorError(selector, `type ${JSON.stringify(name)} is not one of jsonpath, xpath, jsonpointer`);
  const versions = SELECTOR_VERSIONS[name as SelectorType];
  const version = isObj(type) ? type.version : versions[0];
  if (typeof version !== 'string' || !versions.includes(version))
    throw new SelectorError(selector, `${name} version ${JSON.stringify(version)} is not one of ${versions.join(', ')}`);
  return { type: name as SelectorType, version };
}

const hasXPathEngine = (): boolean => {
  try {
    return !!xpathEngine();
  } catch {
    return false;
  }
};

/** Checks what can be checked before the run (syntax; an xpath's where its engine is installed). */
function checkSyntax(s: PlanSelector): void {
  try {
    if (s.type === 'jsonpointer') parsePointer(s.selector);
    else if (s.type === 'jsonpath' && s.version === 'rfc9535') parseRfc9535(s.selector);
    else if (s.type === 'jsonpath') {
      const code = goessnerCodeReason(s.selector);
      if (code) throw new Error(`JSONPath filters may not run code: ${code}`);
      if (!s.selector.startsWith('$')) throw new Error('a JSONPath starts with $');
    } else if (hasXPathEngine()) xpathEngine().check(s.selector);
  } catch (e) {
    throw new SelectorError(s.selector, `not a valid ${s.type} (${s.version}) selector: ${(e as Error).message}`);
  }
}

/** A document's Selector Object, normalized and checked; throws SelectorError (ExpressionError for its context). */
export function toPlanSelector(o: Obj): SelectorValue {
  const selector = o.selector;
  if (typeof selector !== 'string') throw new SelectorError(String(selector), 'selector must be a string');
  if (typeof o.context !== 'string') throw new SelectorError(selector, 'context must be a runtime expression');
  if (o.type === undefined) throw new SelectorError(selector, 'type is required (jsonpath, xpath or jsonpointer)');
  parseExpression(o.context);
  const s: PlanSelector = { context: o.context, selector, ...selectorType(o.type, selector) };
  checkSyntax(s);
  return { $selector: s };
}

const one = (nodes: unknown[]): unknown => (nodes.length === 0 ? undefined : nodes.length === 1 ? nodes[0] : nodes);

function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
}

/** The value a selector selects in its context (see the file's header); throws SelectorError, ExpressionError. */
export function evaluateSelector(v: SelectorValue, ctx: ExpressionContext): unknown {
  const s = v.$selector;
  const value = evaluateExpression(s.context, ctx);
  if (value === undefined || value === null) return undefined;
  if (s.type === 'xpath') {
    if (typeof value !== 'string') throw new SelectorError(s.selector, `context ${s.context} is not XML text (got ${describe(value)})`);
    const engine = ctx.xpath ?? xpathEngine();
    if (!engine.select) throw new SelectorError(s.selector, 'this XPath engine cannot select');
    try {
      return one(engine.select(s.selector, value));
    } catch (e) {
      throw new SelectorError(s.selector, (e as Error).message);
    }
  }
  if (typeof value !== 'object')
    throw new SelectorError(
      s.selector,
      `context ${s.context} is not structured data (got ${describe(value)}: ${String(value).slice(0, 80)})`,
    );
  if (s.type === 'jsonpointer') return getPointer(value, s.selector);
  if (s.version === 'rfc9535') return one(query(value as JsonValue, s.selector));
  checkSyntax(s);
  return one(goessnerJsonPath()({ path: s.selector, json: value as object, eval: 'safe', wrap: true }) as unknown[]);
}

/** The error of a selector's evaluation, for a failed step's message. */
export const isSelectorFailure = (e: unknown): boolean => e instanceof SelectorError || e instanceof ExpressionError;

/** How an output or value is named in a message: the expression, or `<type> selector '<selector>' on <context>`. */
export const selectorText = (v: string | SelectorValue): string =>
  typeof v === 'string' ? v : `${v.$selector.type} selector '${v.$selector.selector}' on ${v.$selector.context}`;

/** The JSON Pointer of an RFC 9535 normalized path (`$['a'][0]` → `/a/0`). */
export function normalizedPathPointer(path: string): string {
  const tokens: string[] = [];
  const step = /\[(?:'((?:[^'\\]|\\.)*)'|(\d+))\]/y;
  step.lastIndex = 1; // after the $
  while (step.lastIndex < path.length) {
    const m = step.exec(path);
    if (!m) throw new SelectorError(path, 'not a normalized path');
    tokens.push(m[2] ?? (JSON.parse(`"${m[1].replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string));
  }
  return pointerOf(tokens);
}

/** Is a replacement's targetSelectorType xpath (the payload is XML text)? */
export const isXPathTarget = (targetType: unknown): boolean => selectorTypeName(targetType) === 'xpath';

/**
 * A payload replacement with targetSelectorType xpath: the XML text payload with every node the target selects set to
 * the value (text: a string, number or boolean). Runs where the XPath engine is installed (the step activity).
 */
export function replaceInXml(target: string, targetType: unknown, payload: unknown, value: unknown): string {
  selectorType(targetType, target);
  if (typeof payload !== 'string') throw new SelectorError(target, `an xpath target needs an XML text payload (got ${describe(payload)})`);
  if (value === undefined || value === null || typeof value === 'object')
    throw new SelectorError(target, `an xpath replacement value must be text, a number or a boolean (got ${describe(value)})`);
  const engine = xpathEngine();
  if (!engine.replace) throw new SelectorError(target, 'this XPath engine cannot replace');
  try {
    return engine.replace(target, payload, String(value));
  } catch (e) {
    throw new SelectorError(target, (e as Error).message);
  }
}

/**
 * The JSON Pointers of the locations a payload replacement's jsonpath target (targetSelectorType) selects in the
 * payload; a target that selects nothing is an error, not a replacement quietly left out.
 */
export function targetPointers(target: string, targetType: unknown, payload: unknown): string[] {
  const t = selectorType(targetType, target);
  if (t.type === 'jsonpointer') return [target];
  if (t.type !== 'jsonpath') throw new SelectorError(target, `an ${t.type} target is not a location in structured data`);
  checkSyntax({ context: '$request.body', selector: target, ...t });
  if (typeof payload !== 'object' || payload === null)
    throw new SelectorError(target, `the payload is not structured data (got ${describe(payload)})`);
  const found =
    t.version === 'rfc9535'
      ? paths(payload as JsonValue, target).map(normalizedPathPointer)
      : (goessnerJsonPath()({ path: target, json: payload as object, eval: 'safe', resultType: 'pointer', wrap: true }) as string[]);
  if (found.length === 0) throw new SelectorError(target, 'the replacement target selects nothing in the payload');
  return found;
}
