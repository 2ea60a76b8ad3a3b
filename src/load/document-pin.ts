// Pinning a document (schedule create --pin): the sha256 of its text, and of each of its parts, so that a firing
// of a changed document is refused with what changed ("step pollBatch of workflow batch-job changed").
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** part name → sha256 of its JSON: info, sourceDescriptions, components, each workflow (without steps), each step. */
export function documentParts(text: string): Record<string, string> {
  let doc: any;
  try {
    doc = parseYaml(text, { maxAliasCount: -1 });
  } catch {
    return { document: sha256(text) };
  }
  if (!doc || typeof doc !== 'object') return { document: sha256(text) };
  const parts: Record<string, string> = {};
  const h = (v: unknown) => sha256(JSON.stringify(v ?? null));
  for (const [k, v] of Object.entries(doc)) if (k !== 'workflows') parts[k] = h(v);
  for (const wf of Array.isArray(doc.workflows) ? doc.workflows : []) {
    const id = String(wf?.workflowId);
    const { steps, ...rest } = wf ?? {};
    parts[`workflow ${id}`] = h(rest);
    for (const step of Array.isArray(steps) ? steps : []) parts[`step ${step?.stepId} of workflow ${id}`] = h(step);
  }
  return parts;
}

/** What differs between two part lists, for people: "step x of workflow y changed", "... added", "... removed". */
export function changedParts(before: Record<string, string>, now: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(now)) {
    if (!(k in before)) out.push(`${k} added`);
    else if (before[k] !== v) out.push(`${k} changed`);
  }
  for (const k of Object.keys(before)) if (!(k in now)) out.push(`${k} removed`);
  if (!out.length) out.push('only formatting or comments changed');
  return out;
}
