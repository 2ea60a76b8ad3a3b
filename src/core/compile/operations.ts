// Operations: operationId / operationPath resolved to method, path and server of a loaded source description;
// the cancel operation of a create step (x-temporal-cancel).
import { didYouMean } from '../suggest';
import type { Compiler } from './compiler';
import { operationAtPointer, responseEnums, type OperationInfo } from '../openapi';
import type { PlanCancel } from '../plan';
import type { ArazzoParameter, ArazzoStep, ArazzoWorkflow, PlanOperation, PlanParameter } from '../types';
import { parameters } from './parameters';
import { CANCEL_EXTENSION, OPERATION_REF, type LoadedSource, type Where } from './types';

type Candidate = { source: string; info: OperationInfo };
type Path = (string | number)[];

/** operationPath `{$sourceDescriptions.<name>.url}#<json pointer>`: the operation at that pointer. */
function byOperationPath(c: Compiler, ref: string, at: Path, where: Where): Candidate | undefined {
  const m = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#(.*)$/.exec(ref);
  const source = m && c.opts.sources[m[1]];
  if (!m || !source) {
    const message = `operationPath "${ref}" must look like {$sourceDescriptions.<name>.url}#/paths/~1pets/get and name a declared source`;
    c.report('error', 'bad-operation-path', message, at, where);
    return undefined;
  }
  if (!sourceUsable(c, source, at, where)) return undefined;
  const info = operationAtPointer(source.spec, decodeURIComponent(m[2]));
  if (!info) c.report('error', 'unknown-operation', `operationPath "${ref}" points at no operation in ${source.location}`, at, where);
  return info && { source: m[1], info };
}

/** operationId, bare or `$sourceDescriptions.<name>.<operationId>`: the one operation of that id. */
function byOperationId(c: Compiler, ref: string, at: Path, where: Where): Candidate | undefined {
  const m = OPERATION_REF.exec(ref);
  const names = m ? [m[1]] : [...c.ops.keys()];
  const opId = m ? m[2] : ref;
  if (m && !c.opts.sources[m[1]]) {
    c.report('error', 'unknown-source', `operationId "${ref}" names source "${m[1]}", which is not in sourceDescriptions`, at, where);
    return undefined;
  }
  const used = m ? [c.opts.sources[m[1]]] : Object.values(c.opts.sources);
  if (!used.every((s) => sourceUsable(c, s, at, where))) return undefined;
  const candidates = names.flatMap((name) =>
    (c.ops.get(name) ?? []).filter((info) => info.operationId === opId).map((info) => ({ source: name, info })),
  );
  if (candidates.length === 0) {
    const where2 = names.map((n) => `${n} (${c.opts.sources[n]?.location})`).join(', ') || 'any source description';
    const near = didYouMean(
      opId,
      names.flatMap((n) => (c.ops.get(n) ?? []).map((o) => o.operationId ?? '')),
    );
    c.report('error', 'unknown-operation', `operationId "${ref}" is not defined in ${where2}${near}`, at, where);
    return undefined;
  }
  if (candidates.length > 1) {
    const all = candidates.map((k) => `$sourceDescriptions.${k.source}.${opId}`).join(', ');
    c.report('error', 'ambiguous-operation', `operationId "${ref}" is defined in several sources: ${all}; name one`, at, where);
    return undefined;
  }
  if (!m && c.ops.size > 1) {
    const message = `bare operationId "${ref}" with several source descriptions; resolved to $sourceDescriptions.${candidates[0].source}.${opId}`;
    c.report('warning', 'bare-operation-id', message, at, where);
  }
  return candidates[0];
}

/** Resolve operationId / operationPath to an operation of a loaded source description. */
export function operation(
  c: Compiler,
  step: ArazzoStep,
  path: Path,
  where: Where,
  key: 'operationId' | 'operationPath' = step.operationPath !== undefined ? 'operationPath' : 'operationId',
): { info: OperationInfo; plan: PlanOperation } | undefined {
  const ref = step[key];
  if (typeof ref !== 'string' || !ref) {
    c.report('error', 'no-target', 'a step needs one of operationId, operationPath or workflowId', path, where);
    return undefined;
  }
  const found = key === 'operationPath' ? byOperationPath(c, ref, [...path, key], where) : byOperationId(c, ref, [...path, key], where);
  if (!found) return undefined;
  const { source, info } = found;
  if (where.stepId !== undefined)
    c.responseEnums.set(`${where.workflowId}/${where.stepId}`, responseEnums(c.opts.sources[source]?.spec, info.pointer));
  const serverUrl = (c.set.serverOverride(c.prefix, source) ?? info.servers[0] ?? '/').replace(/\/+$/, '');
  const plan = {
    source,
    operationId: info.operationId,
    method: info.method,
    path: info.path,
    serverUrl,
    responseContentTypes: info.responseContentTypes,
    ...(info.idempotent && { idempotent: true }),
  };
  return { info, plan };
}

export function sourceUsable(
  c: Compiler,
  source: LoadedSource,
  path: (string | number)[],
  where: { workflowId?: string; stepId?: string },
): boolean {
  if (source.spec !== undefined) return true;
  c.report(
    'error',
    'source-unavailable',
    `source description "${source.name}" (${source.location}) could not be loaded: ${source.loadError ?? 'unknown error'}`,
    path,
    where,
  );
  return false;
}

export function cancel(
  c: Compiler,
  wf: ArazzoWorkflow,
  step: ArazzoStep,
  path: (string | number)[],
  where: { workflowId?: string; stepId?: string },
): PlanCancel | undefined {
  const ext = step[CANCEL_EXTENSION] as { operationId?: string; operationPath?: string; parameters?: ArazzoParameter[] } | undefined;
  if (ext === undefined) return undefined;
  const at = [...path, CANCEL_EXTENSION];
  if (typeof ext !== 'object' || ext === null) {
    c.report(
      'error',
      'bad-extension',
      `${CANCEL_EXTENSION} must be an object with operationId (or operationPath) and parameters`,
      at,
      where,
    );
    return undefined;
  }
  const pseudo: ArazzoStep = {
    stepId: `${step.stepId}.cancel`,
    operationId: ext.operationId,
    operationPath: ext.operationPath,
    parameters: ext.parameters,
  };
  const op = extensionOperation(c, wf, pseudo, at, where);
  return op && { stepId: pseudo.stepId, ...op };
}

/** An operation an extension names (cancel, reconcile lookup), with its parameters. */
export function extensionOperation(
  c: Compiler,
  wf: ArazzoWorkflow,
  pseudo: ArazzoStep,
  at: (string | number)[],
  where: Where,
): { operation: PlanOperation; parameters: PlanParameter[] } | undefined {
  const op = operation(c, pseudo, at, where);
  if (!op) return undefined;
  return { operation: op.plan, parameters: parameters(c, wf, pseudo, at, where, op.info) };
}
