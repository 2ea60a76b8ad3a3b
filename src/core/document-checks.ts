// Checks over the whole document, after it conforms to the JSON Schema and before a workflow is compiled:
// ids that must be unique (workflowIds, source description names, stepIds in every workflow) and cycles
// in workflow dependsOn. Pure; positions come from the caller's `locate`.
import type { ArazzoDocument, Diagnostic, SourcePos } from './types';

type Path = (string | number)[];

export function checkDocument(doc: ArazzoDocument, file: string, locate?: (path: Path) => SourcePos): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: Path) => locate?.(path) ?? { file };
  const workflows = Array.isArray(doc.workflows) ? doc.workflows : [];

  const sourceNames = new Set<string>();
  (Array.isArray(doc.sourceDescriptions) ? doc.sourceDescriptions : []).forEach((s, i) => {
    if (typeof s?.name !== 'string') return;
    if (sourceNames.has(s.name)) out.push({ severity: 'error', code: 'duplicate-source', message: `source description name "${s.name}" is used twice`, pos: at(['sourceDescriptions', i, 'name']) });
    sourceNames.add(s.name);
  });

  const workflowIds = new Set<string>();
  workflows.forEach((w, i) => {
    if (typeof w?.workflowId !== 'string') return;
    if (workflowIds.has(w.workflowId)) out.push({ severity: 'error', code: 'duplicate-workflow', message: `workflowId "${w.workflowId}" is used twice`, pos: at(['workflows', i, 'workflowId']), workflowId: w.workflowId });
    workflowIds.add(w.workflowId);
    const stepIds = new Set<string>();
    (Array.isArray(w.steps) ? w.steps : []).forEach((s, j) => {
      if (typeof s?.stepId !== 'string') return;
      // same code, message and position as the compiler's check of the workflow it compiles (deduplicated)
      if (stepIds.has(s.stepId)) out.push({ severity: 'error', code: 'duplicate-step', message: `stepId "${s.stepId}" is used twice`, pos: at(['workflows', i, 'steps', j, 'stepId']), workflowId: w.workflowId, stepId: s.stepId });
      stepIds.add(s.stepId);
    });
  });

  // dependsOn cycles among this document's workflows (entries naming other documents are not followed)
  const deps = new Map<string, { list: string[]; index: number }>();
  workflows.forEach((w, i) => {
    if (typeof w?.workflowId === 'string' && !deps.has(w.workflowId)) deps.set(w.workflowId, { list: (Array.isArray(w.dependsOn) ? w.dependsOn : []).filter((d): d is string => typeof d === 'string'), index: i });
  });
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      const key = [...cycle.slice(0, -1)].sort().join(',');
      if (reported.has(key)) return;
      reported.add(key);
      const from = trail[trail.length - 1];
      const entry = deps.get(from)!;
      out.push({
        severity: 'error',
        code: 'dependency-cycle',
        message: `dependsOn forms a cycle: ${cycle.join(' → ')}; none of these workflows could ever start`,
        pos: at(['workflows', entry.index, 'dependsOn', entry.list.indexOf(id)]),
        workflowId: from,
      });
      return;
    }
    state.set(id, 'visiting');
    for (const d of deps.get(id)?.list ?? []) if (deps.has(d)) visit(d, [...trail, id]);
    state.set(id, 'done');
  };
  for (const id of deps.keys()) visit(id, []);
  return out;
}
