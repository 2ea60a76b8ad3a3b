// The value of a runtime expression in a run's context. Missing values (and unknown steps) are undefined; secret
// references are opaque (a pointer into one yields nothing).
// Pure code: runs inside the Temporal workflow sandbox.
import { getPointer } from '../jsonpointer';
import { isSecretRef, type ExpressionContext } from '../types';
import type { ParsedExpression } from './ast';
import { parseExpression } from './expression-reader';

/**
 * One step of navigation, as `.key` / `[key]` do in conditions: own members of objects, array elements, and
 * `length` of arrays and strings. Secret references are opaque.
 */
export function memberOf(value: unknown, key: string | number): unknown {
  if (key === 'length' && (typeof value === 'string' || Array.isArray(value))) return value.length;
  if (Array.isArray(value)) {
    const index = typeof key === 'number' ? key : /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : -1;
    return index >= 0 ? value[index] : undefined;
  }
  if (typeof value !== 'object' || value === null || isSecretRef(value)) return undefined;
  const k = String(key);
  return Object.hasOwn(value, k) ? (value as Record<string, unknown>)[k] : undefined;
}

/**
 * Looks `name` up in `map`. An exact key wins (output names may contain dots); otherwise the longest dotted
 * prefix that is a key, then member navigation for the rest ($inputs.user.name, $steps.s.outputs.items.length).
 */
function lookup(map: Record<string, unknown> | undefined, name: string, caseInsensitive = false): unknown {
  if (!map) return undefined;
  const find = (key: string): string | undefined =>
    Object.hasOwn(map, key) ? key : caseInsensitive ? Object.keys(map).find((k) => k.toLowerCase() === key.toLowerCase()) : undefined;
  const parts = name.split('.');
  for (let i = parts.length; i >= 1; i--) {
    const key = find(parts.slice(0, i).join('.'));
    if (key !== undefined) return parts.slice(i).reduce<unknown>(memberOf, map[key]);
  }
  return undefined;
}

function resolve(e: ParsedExpression, ctx: ExpressionContext): unknown {
  switch (e.root) {
    case 'url':
      return ctx.url;
    case 'method':
      return ctx.method;
    case 'statusCode':
      return ctx.statusCode;
    case 'request':
    case 'response': {
      const message = ctx[e.root];
      if (e.source === 'body') return message?.body;
      const map = e.source === 'header' ? message?.header : ctx.request?.[e.source];
      return lookup(map, e.name, e.source === 'header');
    }
    case 'message':
      return e.source === 'header'
        ? lookup(ctx.message?.header, e.name!, true)
        : e.name
          ? lookup({ p: ctx.message?.payload }, `p.${e.name}`)
          : ctx.message?.payload;
    case 'inputs':
      return lookup(ctx.inputs, e.name);
    case 'outputs':
      return lookup(ctx.outputs, e.name);
    case 'steps':
      return lookup(ctx.steps[e.stepId]?.outputs, e.name);
    case 'workflows':
      return lookup(ctx.workflows?.[e.workflowId]?.[e.field], e.name);
    case 'sourceDescriptions':
      return lookup(ctx.sourceDescriptions?.[e.sourceName], e.name);
    case 'components':
      return undefined; // resolved statically by the planner, never at run time
  }
}

/** The value of a runtime expression, type preserved. Missing values (and unknown steps) are undefined. */
export function evaluateExpression(src: string | ParsedExpression, ctx: ExpressionContext): unknown {
  const e = typeof src === 'string' ? parseExpression(src) : src;
  const value = resolve(e, ctx);
  if (!e.pointer) return value;
  return isSecretRef(value) ? undefined : getPointer(value, e.pointer);
}
