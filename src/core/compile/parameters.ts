// Parameters: reusable ones resolved, located (path, query, querystring, header, cookie) against the operation, merged
// workflow-level then step-level; the parameters that become a workflow's inputs.
import type { Compiler } from './compiler';
import type { OperationInfo } from '../openapi';
import { EXPRESSION_ROOTS, findEmbeddedForms, parseExpression } from '../expr';
import type { ArazzoParameter, ArazzoStep, ArazzoWorkflow, PlanParameter, ReusableRef } from '../types';
import type { Where } from './types';
import { checkQuerystring, QUERYSTRING_DEFAULT_TYPE } from './querystring';

export function resolveRef<T>(
  c: Compiler,
  item: T | ReusableRef,
  kind: 'parameters' | 'successActions' | 'failureActions',
  path: (string | number)[],
  where: { workflowId?: string; stepId?: string },
): T | undefined {
  if (!item || typeof item !== 'object' || !('reference' in item)) return item as T;
  const m = new RegExp(`^\\$components\\.${kind}\\.([A-Za-z0-9_.-]+)$`).exec(item.reference);
  const target = m ? (c.doc.components?.[kind] as Record<string, unknown> | undefined)?.[m[1]] : undefined;
  if (!target) {
    c.report(
      'error',
      'unknown-reference',
      `reference "${item.reference}" does not name an entry of components.${kind}`,
      [...path, 'reference'],
      where,
    );
    return undefined;
  }
  return (kind === 'parameters' && item.value !== undefined ? { ...target, value: item.value } : target) as T;
}

export function parameters(
  c: Compiler,
  wf: ArazzoWorkflow,
  step: ArazzoStep,
  path: (string | number)[],
  where: { workflowId?: string; stepId?: string },
  info?: OperationInfo,
): PlanParameter[] {
  const merged = new Map<string, PlanParameter>();
  const sites = new Map<string, (string | number)[]>();
  const add = (list: (ArazzoParameter | ReusableRef)[] | undefined, listPath: (string | number)[]) =>
    (list ?? []).forEach((raw, i) => {
      const p = resolveRef<ArazzoParameter>(c, raw, 'parameters', [...listPath, i], where);
      if (!p) return;
      const declared = info?.parameters.find((d) => d.name.toLowerCase() === String(p.name).toLowerCase() && (!p.in || d.in === p.in));
      const location = p.in ?? declared?.in;
      if (!location || !['path', 'query', 'querystring', 'header', 'cookie'].includes(location)) {
        c.report(
          'error',
          'bad-parameter',
          `parameter "${p.name}" needs "in" (path, query, querystring, header or cookie)`,
          [...listPath, i],
          where,
        );
        return;
      }
      const key = `${location}:${location === 'header' ? String(p.name).toLowerCase() : p.name}`;
      const contentType = location === 'querystring' ? (declared?.contentType ?? QUERYSTRING_DEFAULT_TYPE) : undefined;
      merged.set(key, {
        name: p.name,
        in: location as PlanParameter['in'],
        value: p.value,
        ...((declared?.required || location === 'path') && { required: true }),
        ...(contentType && { contentType }),
      });
      sites.set(key, [...listPath, i]);
    });
  add(wf.parameters, [...path.slice(0, 2), 'parameters']); // path starts with ['workflows', index]
  add(step.parameters, [...path, 'parameters']);
  checkQuerystring(c, merged, sites, info, where);
  for (const d of info?.parameters ?? []) {
    if (d.in === 'path' && ![...merged.values()].some((p) => p.in === 'path' && p.name === d.name)) {
      c.report(
        'error',
        'missing-parameter',
        `path parameter "${d.name}" of ${info?.method} ${info?.path} has no value in the step`,
        [...path, 'parameters'],
        where,
      );
    }
  }
  return [...merged.values()];
}

/** Parameters that become a workflow's inputs: name → value (`in` is not needed and ignored). */
export function workflowInputs(
  c: Compiler,
  list: (ArazzoParameter | ReusableRef)[] | undefined,
  listPath: (string | number)[],
  where: Where,
): Record<string, unknown> | undefined {
  if (list === undefined) return undefined;
  const inputs: Record<string, unknown> = {};
  (Array.isArray(list) ? list : []).forEach((raw, i) => {
    const p = resolveRef<ArazzoParameter>(c, raw, 'parameters', [...listPath, i], where);
    if (!p) return;
    if (typeof p.name !== 'string' || !p.name) c.report('error', 'bad-parameter', 'a parameter needs a name', [...listPath, i], where);
    else inputs[p.name] = p.value;
  });
  return inputs;
}

/** Expressions in the inputs of a workflow step or action parse (lint checks those of operation steps). */
export function checkInputExpressions(c: Compiler, inputs: Record<string, unknown>, path: (string | number)[], where: Where): void {
  const looksLike = new RegExp(`^\\$(${EXPRESSION_ROOTS.join('|')})\\b`);
  for (const [name, value] of Object.entries(inputs)) {
    for (const bad of findEmbeddedForms(value).invalidBraced)
      c.report('error', 'bad-expression', `input "${name}": "${bad}" is not a valid runtime expression`, path, where);
    if (typeof value === 'string' && looksLike.test(value) && !/\s/.test(value)) {
      try {
        parseExpression(value);
      } catch (err) {
        c.report('error', 'bad-expression', `input "${name}": ${(err as Error).message}`, path, where);
      }
    }
  }
}
