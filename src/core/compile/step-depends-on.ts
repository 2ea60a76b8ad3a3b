// Step-level dependsOn (Arazzo 1.1, Step Object): "A list of steps that MUST be completed before this step can
// be executed. dependsOn only establishes a prerequisite relationship for the current step and does not trigger
// execution of the referenced steps." An entry is a stepId of this workflow, $workflows.<workflowId>.steps.<stepId>
// or $sourceDescriptions.<name>.<workflowId>.steps.<stepId>. Checked here: every entry names a step that exists,
// and the local ones form no cycle (src/core/cycles.ts). "Tools supporting only sequential execution MUST execute
// steps in an order that satisfies both explicit (dependsOn) and implicit (output reference) dependencies": the
// plan's steps are put in an order where each step comes after the local steps it depends on (document order
// otherwise; implicit references are checked by lint on that order). The run checks the prerequisites when it
// reaches a step (src/workflows/step-dependencies.ts).
import { findCycles } from '../cycles';
import type { PlanStep, StepDependency } from '../plan';
import { didYouMean } from '../suggest';
import type { ArazzoDocument, ArazzoStep, ArazzoWorkflow } from '../types';
import type { Compiler } from './compiler';
import type { Where } from './types';

type Path = (string | number)[];

const CROSS_WORKFLOW = /^\$workflows\.([^.]+)\.steps\.([^.]+)$/;
const CROSS_DOCUMENT = /^\$sourceDescriptions\.([^.]+)\.([^.]+)\.steps\.([^.]+)$/;

/** The step `stepId` of workflow `workflowId` in `doc`, or why there is none. */
function findStep(doc: ArazzoDocument | undefined, file: string, workflowId: string, stepId: string): string | undefined {
  const wf = (doc?.workflows ?? []).find((w) => w?.workflowId === workflowId);
  if (!wf)
    return `${file} has no workflow "${workflowId}"${didYouMean(
      workflowId,
      (doc?.workflows ?? []).map((w) => String(w?.workflowId)),
    )}`;
  const ids = (wf.steps ?? []).map((s) => String(s?.stepId));
  if (!ids.includes(stepId)) return `workflow ${workflowId} has no step "${stepId}"${didYouMean(stepId, ids)}`;
  return undefined;
}

/** One entry: what it names, or a reported error. */
function entry(
  c: Compiler,
  wf: ArazzoWorkflow,
  step: ArazzoStep,
  ref: string,
  stepIds: Set<string>,
  at: Path,
  where: Where,
): StepDependency | undefined {
  const fail = (code: string, message: string) => void c.report('error', code, `dependsOn "${ref}": ${message}`, at, where);
  const cross = CROSS_WORKFLOW.exec(ref);
  const other = CROSS_DOCUMENT.exec(ref);
  if (!cross && !other) {
    if (ref === step.stepId) return fail('bad-depends-on', 'a step cannot depend on itself');
    if (!stepIds.has(ref)) return fail('unknown-step', `workflow ${wf.workflowId} has no step "${ref}"${didYouMean(ref, stepIds)}`);
    return { ref, stepId: ref };
  }
  if (cross) {
    const [, workflowId, stepId] = cross;
    if (workflowId === wf.workflowId) return entry(c, wf, step, stepId, stepIds, at, where);
    const why = findStep(c.doc, c.opts.file, workflowId, stepId);
    return why ? fail(why.includes('no workflow') ? 'unknown-workflow' : 'unknown-step', why) : { ref, stepId, workflowId };
  }
  const [, name, workflowId, stepId] = other!;
  const source = c.opts.sources[name];
  if (!source) return fail('unknown-source', `source "${name}" is not in sourceDescriptions`);
  if (source.type !== 'arazzo')
    return fail(
      'not-an-arazzo-source',
      `source "${name}" is an ${source.type} description; steps of workflows come from a source description of type arazzo`,
    );
  if (source.spec === undefined)
    return fail('source-unavailable', `source "${name}" could not be read${source.loadError ? `: ${source.loadError}` : ''}`);
  const why = findStep(source.spec as ArazzoDocument, source.location, workflowId, stepId);
  return why ? fail(why.includes('no workflow') ? 'unknown-workflow' : 'unknown-step', why) : { ref, stepId, workflowId };
}

/** A step's dependsOn, resolved; undefined when it has none. path = ['workflows', w, 'steps', i]. */
export function stepDependsOn(
  c: Compiler,
  wf: ArazzoWorkflow,
  step: ArazzoStep,
  path: Path,
  stepIds: Set<string>,
  where: Where,
): StepDependency[] | undefined {
  const list = (step as { dependsOn?: unknown }).dependsOn;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const deps: StepDependency[] = [];
  list.forEach((ref, i) => {
    const dep = typeof ref === 'string' ? entry(c, wf, step, ref, stepIds, [...path, 'dependsOn', i], where) : undefined;
    if (dep && !deps.some((d) => d.stepId === dep.stepId && d.workflowId === dep.workflowId)) deps.push(dep);
  });
  return deps;
}

const localDeps = (s: PlanStep | undefined) => (s?.dependsOn ?? []).filter((d) => d.workflowId === undefined).map((d) => d.stepId);

/** Local dependsOn cycles, each reported once at the entry that closes it. Returns whether there was one. */
export function reportStepCycles(c: Compiler, wf: ArazzoWorkflow, steps: (PlanStep | undefined)[], base: Path): boolean {
  const byId = new Map(steps.flatMap((s) => (s ? [[s.stepId, s] as const] : [])));
  const cycles = findCycles(byId.keys(), (id) => localDeps(byId.get(id)));
  for (const cycle of cycles) {
    const [last, closing] = [cycle[cycle.length - 2], cycle[cycle.length - 1]];
    const index = (wf.steps ?? []).findIndex((s) => s?.stepId === last);
    const entryIndex = (byId.get(last)?.dependsOn ?? []).findIndex((d) => d.workflowId === undefined && d.stepId === closing);
    const at = [...base, 'steps', index, 'dependsOn', Math.max(0, entryIndex)];
    c.report('error', 'dependency-cycle', `step dependsOn forms a cycle: ${cycle.join(' → ')}; none of these steps could ever run`, at, {
      workflowId: wf.workflowId,
      stepId: last,
    });
  }
  return cycles.length > 0;
}

/** The steps in document order, each moved after the local steps it depends on (no cycles). */
export function orderByDependsOn<T extends PlanStep>(steps: T[]): T[] {
  if (!steps.some((s) => s.dependsOn?.length)) return steps;
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  const placed = new Set<string>();
  const out: T[] = [];
  const place = (s: T) => {
    if (placed.has(s.stepId)) return;
    placed.add(s.stepId);
    const deps = localDeps(s).map((id) => byId.get(id)!);
    for (const d of deps.sort((a, b) => steps.indexOf(a) - steps.indexOf(b))) place(d);
    out.push(s);
  };
  steps.forEach(place);
  return out;
}
