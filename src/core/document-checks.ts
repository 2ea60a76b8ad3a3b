// Checks over the whole document, after it conforms to the JSON Schema and before a workflow is compiled:
// ids that must be unique (workflowIds, source description names, stepIds in every workflow) and cycles
// in workflow dependsOn. Pure; positions come from the caller's `locate`.
import type { ArazzoDocument, ArazzoWorkflow, Diagnostic, Locate, SourcePos } from './types';
import { findCycles } from './cycles';

type Path = (string | number)[];

type At = (path: Path) => SourcePos;

/** Source description names, workflowIds, and stepIds within a workflow, each used once. */
function duplicateIds(doc: ArazzoDocument, workflows: ArazzoWorkflow[], at: At, out: Diagnostic[]): void {
  const sourceNames = new Set<string>();
  (Array.isArray(doc.sourceDescriptions) ? doc.sourceDescriptions : []).forEach((s, i) => {
    if (typeof s?.name !== 'string') return;
    if (sourceNames.has(s.name))
      out.push({
        severity: 'error',
        code: 'duplicate-source',
        message: `source description name "${s.name}" is used twice`,
        pos: at(['sourceDescriptions', i, 'name']),
      });
    sourceNames.add(s.name);
  });

  const workflowIds = new Set<string>();
  workflows.forEach((w, i) => {
    if (typeof w?.workflowId !== 'string') return;
    if (workflowIds.has(w.workflowId))
      out.push({
        severity: 'error',
        code: 'duplicate-workflow',
        message: `workflowId "${w.workflowId}" is used twice`,
        pos: at(['workflows', i, 'workflowId']),
        workflowId: w.workflowId,
      });
    workflowIds.add(w.workflowId);
    const stepIds = new Set<string>();
    (Array.isArray(w.steps) ? w.steps : []).forEach((s, j) => {
      if (typeof s?.stepId !== 'string') return;
      if (stepIds.has(s.stepId))
        out.push({
          severity: 'error',
          code: 'duplicate-step',
          message: `stepId "${s.stepId}" is used twice`,
          pos: at(['workflows', i, 'steps', j, 'stepId']),
          workflowId: w.workflowId,
          stepId: s.stepId,
        });
      stepIds.add(s.stepId);
    });
  });
}

/** dependsOn cycles among this document's workflows (entries naming other documents are not followed). */
function dependencyCycles(workflows: ArazzoWorkflow[], at: At, out: Diagnostic[]): void {
  const deps = new Map<string, { list: string[]; index: number }>();
  workflows.forEach((w, i) => {
    if (typeof w?.workflowId === 'string' && !deps.has(w.workflowId))
      deps.set(w.workflowId, {
        list: (Array.isArray(w.dependsOn) ? w.dependsOn : []).filter((d): d is string => typeof d === 'string'),
        index: i,
      });
  });
  const cycles = findCycles(deps.keys(), (id) => (deps.get(id)?.list ?? []).filter((d) => deps.has(d)));
  for (const cycle of cycles) {
    const from = cycle[cycle.length - 2];
    const closing = cycle[cycle.length - 1];
    const entry = deps.get(from)!;
    out.push({
      severity: 'error',
      code: 'dependency-cycle',
      message: `dependsOn forms a cycle: ${cycle.join(' → ')}; none of these workflows could ever start`,
      pos: at(['workflows', entry.index, 'dependsOn', entry.list.indexOf(closing)]),
      workflowId: from,
    });
  }
}

export function checkDocument(doc: ArazzoDocument, file: string, locate?: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at: At = (path) => locate?.(path) ?? { file };
  const workflows = Array.isArray(doc.workflows) ? doc.workflows : [];
  duplicateIds(doc, workflows, at, out);
  dependencyCycles(workflows, at, out);
  return out;
}
