// The inputs schema of a workflow, with $ref to components.inputs inlined.
import type { Compiler } from './compiler';
import { getPointer } from '../jsonpointer';
import type { ArazzoWorkflow, JsonSchema } from '../types';

/** The inputs schema with `$ref: '#/components/inputs/<name>'` replaced by the component (anywhere in it). */
export function inputsSchema(c: Compiler, wf: ArazzoWorkflow, base: (string | number)[]): JsonSchema | undefined {
  if (wf.inputs === undefined) return undefined;
  const where = { workflowId: wf.workflowId };
  const trail: string[] = [];
  const inline = (node: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(node)) return node.map((n, i) => inline(n, [...path, i]));
    if (!node || typeof node !== 'object') return node;
    const { $ref: ref, ...rest } = node as Record<string, unknown>;
    const siblings = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, inline(v, [...path, k])]));
    if (typeof ref !== 'string' || !ref.startsWith('#/components/')) return ref === undefined ? siblings : { $ref: ref, ...siblings };
    let target: unknown;
    try {
      target = ref.startsWith('#/components/inputs/') ? getPointer(c.doc, ref, { uriFragment: true }) : undefined;
    } catch {
      target = undefined;
    }
    if (target === undefined || typeof target !== 'object' || target === null) {
      c.report('error', 'unknown-reference', `$ref "${ref}" does not name an entry of components.inputs`, [...path, '$ref'], where);
      return siblings;
    }
    if (trail.includes(ref)) {
      c.report('error', 'recursive-reference', `$ref "${ref}" refers to itself: ${[...trail, ref].join(' → ')}`, [...path, '$ref'], where);
      return siblings;
    }
    trail.push(ref);
    const resolved = inline(target, ref.slice(2).split('/'));
    trail.pop();
    return Object.keys(siblings).length ? { allOf: [resolved], ...siblings } : resolved;
  };
  const schema = inline(wf.inputs, [...base, 'inputs']);
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
    c.report('error', 'bad-inputs', 'inputs must be a JSON Schema object', [...base, 'inputs'], where);
    return undefined;
  }
  return schema as JsonSchema;
}
