// Workflows that run workflows: references to a workflow of this document or of an Arazzo source description,
// dependsOn, and the steps that run a workflow as a child.
import { didYouMean } from '../suggest';
import type { Compiler } from './compiler';
import type { ArazzoDocument, ArazzoWorkflow } from '../types';
import { OPERATION_REF, type Where } from './types';
import { sourceUsable } from './operations';

/** The compiler of the referenced Arazzo source `name` (`$sourceDescriptions.<name>.<workflowId>`), or undefined, reported. */
function sourceCompiler(c: Compiler, ref: string, name: string, path: (string | number)[], where: Where): Compiler | undefined {
  const source = c.opts.sources[name];
  if (!source) {
    c.report('error', 'unknown-source', `"${ref}" names source "${name}", which is not in sourceDescriptions`, path, where);
    return undefined;
  }
  if (source.type !== 'arazzo') {
    c.report(
      'error',
      'not-an-arazzo-source',
      `"${ref}" names source "${name}", which is an ${source.type} description; workflows come from a source description of type arazzo`,
      path,
      where,
    );
    return undefined;
  }
  if (!sourceUsable(c, source, path, where)) return undefined;
  const nested = source.arazzo ?? { file: source.location, sources: {} };
  return c.set.compiler(
    source.spec as ArazzoDocument,
    { file: nested.file, locate: nested.locate, sources: nested.sources, poll: c.opts.poll },
    `${c.prefix}${name}.`,
  );
}

/**
 * Resolve a workflow reference (a workflowId of this document, or `$sourceDescriptions.<arazzoSource>.<workflowId>`)
 * to its key, and have it compiled too.
 */
export function workflowRef(
  c: Compiler,
  ref: unknown,
  path: (string | number)[],
  where: Where,
): { key: string; workflowId: string; source?: string } | undefined {
  if (typeof ref !== 'string' || !ref) {
    c.report(
      'error',
      'bad-workflow-reference',
      'a workflow reference must be a workflowId or $sourceDescriptions.<name>.<workflowId>',
      path,
      where,
    );
    return undefined;
  }
  const m = OPERATION_REF.exec(ref);
  let target: Compiler = c;
  let workflowId = ref;
  if (m) {
    const nested = sourceCompiler(c, ref, m[1], path, where);
    if (!nested) return undefined;
    target = nested;
    workflowId = m[2];
  }
  const index = target.indexOf(workflowId);
  if (index < 0) {
    const known = (target.doc.workflows ?? []).map((w) => w?.workflowId).join(', ');
    c.report(
      'error',
      'unknown-workflow',
      `"${ref}" names no workflow of ${target.opts.file}${didYouMean(
        workflowId,
        (target.doc.workflows ?? []).map((w) => String(w?.workflowId)),
      )} (it has: ${known || 'none'})`,
      path,
      where,
    );
    return undefined;
  }
  const key = target.prefix + workflowId;
  c.set.request(target, index, key);
  return { key, workflowId, source: m?.[1] };
}

/** Workflow-level dependsOn: keys of the workflows that complete before this one starts. */
export function dependsOn(c: Compiler, wf: ArazzoWorkflow, base: (string | number)[]): string[] {
  if (wf.dependsOn === undefined) return [];
  const where = { workflowId: wf.workflowId };
  if (!Array.isArray(wf.dependsOn)) {
    c.report('error', 'bad-depends-on', 'dependsOn must be a list of workflowIds', [...base, 'dependsOn'], where);
    return [];
  }
  const keys: string[] = [];
  wf.dependsOn.forEach((ref, i) => {
    const target = workflowRef(c, ref, [...base, 'dependsOn', i], where);
    if (target && !keys.includes(target.key)) keys.push(target.key);
  });
  c.set.edges.set(c.prefix + wf.workflowId, { deps: keys, compiler: c, path: [...base, 'dependsOn'], workflowId: wf.workflowId });
  return keys;
}
