// The other workflows of a plan (Plan.workflows): what a child run gets, the order dependencies run in, and
// which inputs a workflow declares. Pure: the interpreter uses it in the workflow sandbox.
import type { JsonSchema, Plan } from './types';

/** Keys of Plan.workflows that a plan refers to directly: dependsOn, workflow steps, goto/retry workflowId actions. */
export function referencedKeys(plan: Plan): string[] {
  const keys = new Set<string>(plan.dependsOn ?? []);
  for (const step of plan.steps) {
    if (step.kind === 'workflow') keys.add(step.workflow.key);
    for (const a of [...step.onSuccess, ...step.onFailure]) if (a.type !== 'end' && a.workflowKey !== undefined) keys.add(a.workflowKey);
  }
  return [...keys];
}

/**
 * The plan a child run of `key` gets: that workflow's plan with, as its own `workflows`, the part of the root's
 * map it can reach. Undefined when the root has no such workflow.
 */
export function subPlan(root: Plan, key: string): Plan | undefined {
  const all = root.workflows ?? {};
  const target = all[key];
  if (!target) return undefined;
  const reach = new Set<string>();
  const queue = referencedKeys(target);
  for (let k = queue.shift(); k !== undefined; k = queue.shift()) {
    if (reach.has(k) || !all[k]) continue;
    reach.add(k);
    queue.push(...referencedKeys(all[k]));
  }
  const { workflows: _ignored, ...plain } = target;
  return reach.size ? { ...plain, workflows: Object.fromEntries([...reach].map((k) => [k, all[k]])) } : plain;
}

/** The dependsOn closure of a plan, dependencies before the workflows that need them (the compiler refuses cycles). */
export function dependencyOrder(plan: Plan): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (key: string, trail: string[]): void => {
    if (seen.has(key) || trail.includes(key)) return;
    const dep = plan.workflows?.[key];
    for (const d of dep?.dependsOn ?? []) visit(d, [...trail, key]);
    seen.add(key);
    order.push(key);
  };
  for (const key of plan.dependsOn ?? []) visit(key, []);
  return order;
}

/**
 * Names of the inputs a workflow declares (its schema's `properties`, also under allOf/anyOf/oneOf), or undefined
 * when it declares none: then a dependency or transfer target gets all of the run's inputs.
 */
export function declaredInputs(schema: JsonSchema | undefined): string[] | undefined {
  if (!schema) return undefined;
  const names = new Set<string>();
  let found = false;
  const visit = (s: unknown): void => {
    if (!s || typeof s !== 'object' || Array.isArray(s)) return;
    const o = s as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') {
      found = true;
      for (const k of Object.keys(o.properties)) names.add(k);
    }
    for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(o[k])) (o[k] as unknown[]).forEach(visit);
  };
  visit(schema);
  return found ? [...names] : undefined;
}

/** The run's inputs a workflow declares (all of them when it declares none). */
export function inputsFor(plan: Plan, inputs: Record<string, unknown>): Record<string, unknown> {
  const names = declaredInputs(plan.inputsSchema);
  return names ? Object.fromEntries(Object.entries(inputs).filter(([k]) => names.includes(k))) : { ...inputs };
}
