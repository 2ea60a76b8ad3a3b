// Operations: operationId / operationPath resolved to method, path and server of a loaded source description;
// the cancel operation of a create step (x-temporal-cancel).
import type { Compiler } from './compiler';
import { operationAtPointer, type OperationInfo } from '../openapi';
import type { PlanCancel } from '../plan';
import type { ArazzoParameter, ArazzoStep, ArazzoWorkflow, PlanOperation } from '../types';
import { parameters } from './parameters';
import { CANCEL_EXTENSION, OPERATION_REF, type LoadedSource } from './types';

/** Resolve operationId / operationPath to an operation of a loaded source description. */
export function operation(c: Compiler, step: ArazzoStep, path: (string | number)[], where: { workflowId?: string; stepId?: string }, key: 'operationId' | 'operationPath' = step.operationPath !== undefined ? 'operationPath' : 'operationId'): { info: OperationInfo; plan: PlanOperation } | undefined {
  const ref = step[key];
  if (typeof ref !== 'string' || !ref) {
    c.report('error', 'no-target', 'a step needs one of operationId, operationPath or workflowId', path, where);
    return undefined;
  }
  let candidates: { source: string; info: OperationInfo }[] = [];
  if (key === 'operationPath') {
    const m = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#(.*)$/.exec(ref);
    const source = m && c.opts.sources[m[1]];
    if (!m || !source) {
      c.report('error', 'bad-operation-path', `operationPath "${ref}" must look like {$sourceDescriptions.<name>.url}#/paths/~1pets/get and name a declared source`, [...path, key], where);
      return undefined;
    }
    if (!sourceUsable(c, source, [...path, key], where)) return undefined;
    const info = operationAtPointer(source.spec, decodeURIComponent(m[2]));
    if (info) candidates = [{ source: m[1], info }];
    else {
      c.report('error', 'unknown-operation', `operationPath "${ref}" points at no operation in ${source.location}`, [...path, key], where);
      return undefined;
    }
  } else {
    const m = OPERATION_REF.exec(ref);
    const names = m ? [m[1]] : [...c.ops.keys()];
    const opId = m ? m[2] : ref;
    if (m && !c.opts.sources[m[1]]) {
      c.report('error', 'unknown-source', `operationId "${ref}" names source "${m[1]}", which is not in sourceDescriptions`, [...path, key], where);
      return undefined;
    }
    if (m && !sourceUsable(c, c.opts.sources[m[1]], [...path, key], where)) return undefined;
    if (!m) for (const s of Object.values(c.opts.sources)) if (!sourceUsable(c, s, [...path, key], where)) return undefined;
    for (const name of names) for (const info of c.ops.get(name) ?? []) if (info.operationId === opId) candidates.push({ source: name, info });
    if (candidates.length === 0) {
      c.report('error', 'unknown-operation', `operationId "${ref}" is not defined in ${names.map((n) => `${n} (${c.opts.sources[n]?.location})`).join(', ') || 'any source description'}`, [...path, key], where);
      return undefined;
    }
    if (candidates.length > 1) {
      c.report('error', 'ambiguous-operation', `operationId "${ref}" is defined in several sources: ${candidates.map((c) => `$sourceDescriptions.${c.source}.${opId}`).join(', ')}; name one`, [...path, key], where);
      return undefined;
    }
    if (!m && c.ops.size > 1) c.report('warning', 'bare-operation-id', `bare operationId "${ref}" with several source descriptions; resolved to $sourceDescriptions.${candidates[0].source}.${opId}`, [...path, key], where);
  }
  const { source, info } = candidates[0];
  const serverUrl = c.set.serverOverride(c.prefix, source) ?? info.servers[0] ?? '/';
  return {
    info,
    plan: { source, operationId: info.operationId, method: info.method, path: info.path, serverUrl: serverUrl.replace(/\/+$/, ''), responseContentTypes: info.responseContentTypes },
  };
}

export function sourceUsable(c: Compiler, source: LoadedSource, path: (string | number)[], where: { workflowId?: string; stepId?: string }): boolean {
  if (source.spec !== undefined) return true;
  c.report('error', 'source-unavailable', `source description "${source.name}" (${source.location}) could not be loaded: ${source.loadError ?? 'unknown error'}`, path, where);
  return false;
}

export function cancel(c: Compiler, wf: ArazzoWorkflow, step: ArazzoStep, path: (string | number)[], where: { workflowId?: string; stepId?: string }): PlanCancel | undefined {
  const ext = step[CANCEL_EXTENSION] as { operationId?: string; operationPath?: string; parameters?: ArazzoParameter[] } | undefined;
  if (ext === undefined) return undefined;
  const at = [...path, CANCEL_EXTENSION];
  if (typeof ext !== 'object' || ext === null) {
    c.report('error', 'bad-extension', `${CANCEL_EXTENSION} must be an object with operationId (or operationPath) and parameters`, at, where);
    return undefined;
  }
  const pseudo: ArazzoStep = { stepId: `${step.stepId}.cancel`, operationId: ext.operationId, operationPath: ext.operationPath, parameters: ext.parameters };
  const op = operation(c, pseudo, at, where);
  if (!op) return undefined;
  return { stepId: pseudo.stepId, operation: op.plan, parameters: parameters(c, wf, pseudo, at, where, op.info) };
}
