// Compile one workflow of an Arazzo document into a Plan: operations resolved to method, path and
// server, reusable objects inlined, action lists chosen, poll policies fixed. Pure: the caller hands in
// the already-loaded source descriptions. Every problem becomes a Diagnostic naming file:line, workflow
// and step; a Plan is only returned when there is no error.
import { listOperations, operationAtPointer, type OperationInfo } from './openapi';
import { parseDuration } from './durations';
import type {
  ArazzoAction,
  ArazzoDocument,
  ArazzoParameter,
  ArazzoStep,
  ArazzoWorkflow,
  Criterion,
  Diagnostic,
  Plan,
  PlanOperation,
  PlanParameter,
  PlanStep,
  PollPolicy,
  ReusableRef,
  SourcePos,
} from './types';

export type Locate = (path: (string | number)[]) => SourcePos;

export interface LoadedSource {
  name: string;
  type: string;
  /** where it was read from, after overrides */
  location: string;
  /** parsed description, absent when it could not be loaded */
  spec?: unknown;
  loadError?: string;
}

export interface CompileOptions {
  file: string;
  locate?: Locate;
  /** which workflow to compile; default: the only one, or the first */
  workflowId?: string;
  sources: Record<string, LoadedSource>;
  /** replace the server URL of a source description's operations */
  serverOverrides?: Record<string, string>;
  /** poll defaults of this run (document and step extensions override them) */
  poll?: Partial<PollPolicy>;
}

export interface CompileResult {
  plan?: Plan;
  diagnostics: Diagnostic[];
}

/** The extension that sets how loops wait: at document, workflow or step level. */
export const POLL_EXTENSION = 'x-temporal-poll';
/** The extension on a create step naming the operation that cancels what it created. */
export const CANCEL_EXTENSION = 'x-temporal-cancel';

export const DEFAULT_POLL: PollPolicy = { initialIntervalMs: 1000, maxIntervalMs: 60_000, backoff: 2, timeoutMs: 25 * 3_600_000 };

const OPERATION_REF = /^\$sourceDescriptions\.([A-Za-z0-9_-]+)\.(.+)$/;

class Compiler {
  readonly diagnostics: Diagnostic[] = [];
  private readonly ops = new Map<string, OperationInfo[]>();

  constructor(
    private readonly doc: ArazzoDocument,
    private readonly opts: CompileOptions,
  ) {
    for (const source of Object.values(opts.sources)) {
      if (source.spec !== undefined && source.type !== 'arazzo') this.ops.set(source.name, listOperations(source.spec));
    }
  }

  private report(severity: Diagnostic['severity'], code: string, message: string, path: (string | number)[], ctx: { workflowId?: string; stepId?: string } = {}) {
    this.diagnostics.push({ severity, code, message, pos: this.opts.locate?.(path) ?? { file: this.opts.file }, ...ctx });
  }

  compile(): Plan | undefined {
    const workflows = this.doc.workflows ?? [];
    const index = this.opts.workflowId ? workflows.findIndex((w) => w?.workflowId === this.opts.workflowId) : 0;
    if (index < 0 || !workflows[index]) {
      const known = workflows.map((w) => w?.workflowId).join(', ');
      this.report('error', 'unknown-workflow', `no workflow "${this.opts.workflowId}" in the document (it has: ${known || 'none'})`, ['workflows']);
      return undefined;
    }
    const wf = workflows[index];
    const base = ['workflows', index];
    const poll = this.pollPolicy(
      { ...DEFAULT_POLL, ...this.opts.poll },
      [this.doc[POLL_EXTENSION], ['x-temporal-poll']],
      [wf[POLL_EXTENSION], [...base, POLL_EXTENSION], wf.workflowId],
    );
    const stepIds = new Set<string>();
    (wf.steps ?? []).forEach((s, i) => {
      if (stepIds.has(s?.stepId)) this.report('error', 'duplicate-step', `stepId "${s.stepId}" is used twice`, [...base, 'steps', i, 'stepId'], { workflowId: wf.workflowId, stepId: s.stepId });
      stepIds.add(s?.stepId);
    });
    const steps = (wf.steps ?? []).map((step, i) => this.step(wf, step, [...base, 'steps', i], stepIds, poll));
    if (this.diagnostics.some((d) => d.severity === 'error')) return undefined;
    return {
      planVersion: 1,
      document: { file: this.opts.file, title: this.doc.info?.title ?? '', arazzo: this.doc.arazzo },
      workflowId: wf.workflowId,
      summary: wf.summary,
      inputsSchema: wf.inputs,
      steps: steps as PlanStep[],
      outputs: wf.outputs ?? {},
      sources: Object.fromEntries(Object.values(this.opts.sources).map((s) => [s.name, { url: s.location, type: s.type }])),
      warnings: this.diagnostics.filter((d) => d.severity === 'warning'),
    };
  }

  private pollPolicy(base: PollPolicy, ...layers: [unknown, (string | number)[], string?, string?][]): PollPolicy {
    let policy = base;
    for (const [ext, path, workflowId, stepId] of layers) {
      if (ext === undefined) continue;
      if (typeof ext !== 'object' || ext === null) {
        this.report('error', 'bad-extension', `${POLL_EXTENSION} must be an object such as {interval: 1s, maxInterval: 60s, backoff: 2, timeout: 24h}`, path, { workflowId, stepId });
        continue;
      }
      const e = ext as Record<string, unknown>;
      const ms = (key: string) => {
        if (e[key] === undefined) return undefined;
        const v = parseDuration(e[key]);
        if (v === undefined) this.report('error', 'bad-extension', `${POLL_EXTENSION}.${key}: cannot read "${String(e[key])}" as a duration (e.g. 500ms, 5s, 2m, 24h)`, [...path, key], { workflowId, stepId });
        return v;
      };
      const backoff = e.backoff === undefined ? undefined : Number(e.backoff);
      if (backoff !== undefined && !(backoff >= 1)) this.report('error', 'bad-extension', `${POLL_EXTENSION}.backoff must be a number >= 1`, [...path, 'backoff'], { workflowId, stepId });
      policy = {
        initialIntervalMs: ms('interval') ?? policy.initialIntervalMs,
        maxIntervalMs: ms('maxInterval') ?? policy.maxIntervalMs,
        backoff: backoff !== undefined && backoff >= 1 ? backoff : policy.backoff,
        timeoutMs: ms('timeout') ?? policy.timeoutMs,
      };
      if (policy.maxIntervalMs < policy.initialIntervalMs) policy = { ...policy, maxIntervalMs: policy.initialIntervalMs };
    }
    return policy;
  }

  private step(wf: ArazzoWorkflow, step: ArazzoStep, path: (string | number)[], stepIds: Set<string>, wfPoll: PollPolicy): PlanStep | undefined {
    const where = { workflowId: wf.workflowId, stepId: step?.stepId };
    if (!step || typeof step !== 'object') {
      this.report('error', 'bad-step', 'a step must be an object', path, where);
      return undefined;
    }
    if (step.workflowId !== undefined) {
      this.report('error', 'unsupported', 'steps that run another workflow are not supported yet', [...path, 'workflowId'], where);
      return undefined;
    }
    const operation = this.operation(step, path, where);
    const parameters = this.parameters(wf, step, path, where, operation?.info);
    // path = ['workflows', index, 'steps', i]: workflow-level lists live under ['workflows', index]
    const wfPath = path.slice(0, 2);
    const onSuccess = this.actions(step.onSuccess ?? wf.successActions ?? [], step.onSuccess ? [...path, 'onSuccess'] : [...wfPath, 'successActions'], 'successActions', stepIds, where);
    const onFailure = this.actions(step.onFailure ?? wf.failureActions ?? [], step.onFailure ? [...path, 'onFailure'] : [...wfPath, 'failureActions'], 'failureActions', stepIds, where);
    const poll = this.pollPolicy(wfPoll, [step[POLL_EXTENSION], [...path, POLL_EXTENSION], wf.workflowId, step.stepId]);
    const cancel = this.cancel(wf, step, path, where);
    if (!operation) return undefined;
    const body = step.requestBody;
    const contentType = body?.contentType ?? operation.info.requestBody?.contentTypes[0] ?? 'application/json';
    const criteria = step.successCriteria ?? [];
    const outputs = step.outputs ?? {};
    return {
      stepId: step.stepId,
      description: step.description,
      operation: operation.plan,
      parameters,
      requestBody: body
        ? {
            contentType,
            payload: body.payload,
            replacements: body.replacements,
            fileFields: operation.info.requestBody?.fileFields[contentType.split(';')[0].trim()] ?? (contentType.startsWith('multipart/') ? ['file'] : undefined),
          }
        : undefined,
      successCriteria: criteria,
      onSuccess,
      onFailure,
      outputs,
      responseHeaders: referencedHeaders([criteria, onSuccess, onFailure, outputs]),
      poll,
      cancel,
      pos: this.opts.locate?.(path),
    };
  }

  /** Resolve operationId / operationPath to an operation of a loaded source description. */
  private operation(step: ArazzoStep, path: (string | number)[], where: { workflowId?: string; stepId?: string }, key: 'operationId' | 'operationPath' = step.operationPath !== undefined ? 'operationPath' : 'operationId'): { info: OperationInfo; plan: PlanOperation } | undefined {
    const ref = step[key];
    if (typeof ref !== 'string' || !ref) {
      this.report('error', 'no-target', 'a step needs one of operationId, operationPath or workflowId', path, where);
      return undefined;
    }
    let candidates: { source: string; info: OperationInfo }[] = [];
    if (key === 'operationPath') {
      const m = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#(.*)$/.exec(ref);
      const source = m && this.opts.sources[m[1]];
      if (!m || !source) {
        this.report('error', 'bad-operation-path', `operationPath "${ref}" must look like {$sourceDescriptions.<name>.url}#/paths/~1pets/get and name a declared source`, [...path, key], where);
        return undefined;
      }
      if (!this.sourceUsable(source, [...path, key], where)) return undefined;
      const info = operationAtPointer(source.spec, decodeURIComponent(m[2]));
      if (info) candidates = [{ source: m[1], info }];
      else {
        this.report('error', 'unknown-operation', `operationPath "${ref}" points at no operation in ${source.location}`, [...path, key], where);
        return undefined;
      }
    } else {
      const m = OPERATION_REF.exec(ref);
      const names = m ? [m[1]] : [...this.ops.keys()];
      const opId = m ? m[2] : ref;
      if (m && !this.opts.sources[m[1]]) {
        this.report('error', 'unknown-source', `operationId "${ref}" names source "${m[1]}", which is not in sourceDescriptions`, [...path, key], where);
        return undefined;
      }
      if (m && !this.sourceUsable(this.opts.sources[m[1]], [...path, key], where)) return undefined;
      if (!m) for (const s of Object.values(this.opts.sources)) if (!this.sourceUsable(s, [...path, key], where)) return undefined;
      for (const name of names) for (const info of this.ops.get(name) ?? []) if (info.operationId === opId) candidates.push({ source: name, info });
      if (candidates.length === 0) {
        this.report('error', 'unknown-operation', `operationId "${ref}" is not defined in ${names.map((n) => `${n} (${this.opts.sources[n]?.location})`).join(', ') || 'any source description'}`, [...path, key], where);
        return undefined;
      }
      if (candidates.length > 1) {
        this.report('error', 'ambiguous-operation', `operationId "${ref}" is defined in several sources: ${candidates.map((c) => `$sourceDescriptions.${c.source}.${opId}`).join(', ')}; name one`, [...path, key], where);
        return undefined;
      }
      if (!m && this.ops.size > 1) this.report('warning', 'bare-operation-id', `bare operationId "${ref}" with several source descriptions; resolved to $sourceDescriptions.${candidates[0].source}.${opId}`, [...path, key], where);
    }
    const { source, info } = candidates[0];
    const serverUrl = this.opts.serverOverrides?.[source] ?? info.servers[0] ?? '/';
    return {
      info,
      plan: { source, operationId: info.operationId, method: info.method, path: info.path, serverUrl: serverUrl.replace(/\/+$/, ''), responseContentTypes: info.responseContentTypes },
    };
  }

  private sourceUsable(source: LoadedSource, path: (string | number)[], where: { workflowId?: string; stepId?: string }): boolean {
    if (source.spec !== undefined) return true;
    this.report('error', 'source-unavailable', `source description "${source.name}" (${source.location}) could not be loaded: ${source.loadError ?? 'unknown error'}`, path, where);
    return false;
  }

  private resolveRef<T>(item: T | ReusableRef, kind: 'parameters' | 'successActions' | 'failureActions', path: (string | number)[], where: { workflowId?: string; stepId?: string }): T | undefined {
    if (!item || typeof item !== 'object' || !('reference' in item)) return item as T;
    const m = new RegExp(`^\\$components\\.${kind}\\.([A-Za-z0-9_.-]+)$`).exec(item.reference);
    const target = m ? (this.doc.components?.[kind] as Record<string, unknown> | undefined)?.[m[1]] : undefined;
    if (!target) {
      this.report('error', 'unknown-reference', `reference "${item.reference}" does not name an entry of components.${kind}`, [...path, 'reference'], where);
      return undefined;
    }
    return (kind === 'parameters' && item.value !== undefined ? { ...target, value: item.value } : target) as T;
  }

  private parameters(wf: ArazzoWorkflow, step: ArazzoStep, path: (string | number)[], where: { workflowId?: string; stepId?: string }, info?: OperationInfo): PlanParameter[] {
    const merged = new Map<string, PlanParameter>();
    const add = (list: (ArazzoParameter | ReusableRef)[] | undefined, listPath: (string | number)[]) =>
      (list ?? []).forEach((raw, i) => {
        const p = this.resolveRef<ArazzoParameter>(raw, 'parameters', [...listPath, i], where);
        if (!p) return;
        const declared = info?.parameters.find((d) => d.name.toLowerCase() === String(p.name).toLowerCase() && (!p.in || d.in === p.in));
        const location = p.in ?? declared?.in;
        if (!location || !['path', 'query', 'header', 'cookie'].includes(location)) {
          this.report('error', 'bad-parameter', `parameter "${p.name}" needs "in" (path, query, header or cookie)`, [...listPath, i], where);
          return;
        }
        const key = `${location}:${location === 'header' ? String(p.name).toLowerCase() : p.name}`;
        merged.set(key, { name: p.name, in: location as PlanParameter['in'], value: p.value });
      });
    add(wf.parameters, [...path.slice(0, 2), 'parameters']); // path starts with ['workflows', index]
    add(step.parameters, [...path, 'parameters']);
    for (const d of info?.parameters ?? []) {
      if (d.in === 'path' && ![...merged.values()].some((p) => p.in === 'path' && p.name === d.name)) {
        this.report('error', 'missing-parameter', `path parameter "${d.name}" of ${info?.method} ${info?.path} has no value in the step`, [...path, 'parameters'], where);
      }
    }
    return [...merged.values()];
  }

  private actions(list: (ArazzoAction | ReusableRef)[], listPath: (string | number)[], kind: 'successActions' | 'failureActions', stepIds: Set<string>, where: { workflowId?: string; stepId?: string }): ArazzoAction[] {
    const out: ArazzoAction[] = [];
    list.forEach((raw, i) => {
      const action = this.resolveRef<ArazzoAction>(raw, kind, [...listPath, i], where);
      if (!action) return;
      const at = [...listPath, i];
      if (action.type === 'goto' && action.workflowId !== undefined) {
        this.report('error', 'unsupported', `action "${action.name}": goto a workflow is not supported yet`, at, where);
      } else if ((action.type === 'goto' || (action.type === 'retry' && action.stepId !== undefined)) && !stepIds.has(action.stepId as string)) {
        this.report('error', 'unknown-step', `action "${action.name}" goes to step "${action.stepId}", which does not exist in workflow "${where.workflowId}"`, [...at, 'stepId'], where);
      } else if (!['end', 'goto', 'retry'].includes(action.type)) {
        this.report('error', 'bad-action', `action "${action.name}" has type "${action.type}"; expected end, goto or retry`, [...at, 'type'], where);
      }
      if (action.type === 'retry' && kind === 'successActions') {
        this.report('warning', 'retry-on-success', `action "${action.name}": retry under onSuccess is not in the spec; run as "re-run this step after retryAfter, at most retryLimit times"`, at, where);
      }
      out.push(action);
    });
    return out;
  }

  private cancel(wf: ArazzoWorkflow, step: ArazzoStep, path: (string | number)[], where: { workflowId?: string; stepId?: string }): PlanStep['cancel'] {
    const ext = step[CANCEL_EXTENSION] as { operationId?: string; operationPath?: string; parameters?: ArazzoParameter[] } | undefined;
    if (ext === undefined) return undefined;
    const at = [...path, CANCEL_EXTENSION];
    if (typeof ext !== 'object' || ext === null) {
      this.report('error', 'bad-extension', `${CANCEL_EXTENSION} must be an object with operationId (or operationPath) and parameters`, at, where);
      return undefined;
    }
    const pseudo: ArazzoStep = { stepId: `${step.stepId}.cancel`, operationId: ext.operationId, operationPath: ext.operationPath, parameters: ext.parameters };
    const op = this.operation(pseudo, at, where);
    if (!op) return undefined;
    return { stepId: pseudo.stepId, operation: op.plan, parameters: this.parameters(wf, pseudo, at, where, op.info) };
  }
}

/** Lower-case names of the response headers that criteria, actions or outputs read. */
function referencedHeaders(values: unknown[]): string[] {
  const names = new Set<string>();
  const text = JSON.stringify(values);
  for (const m of text.matchAll(/\$response\.header\.([A-Za-z0-9!#$%&'*+.^_`|~-]+)/g)) names.add(m[1].toLowerCase());
  return [...names];
}

export function compileWorkflow(doc: ArazzoDocument, opts: CompileOptions): CompileResult {
  const compiler = new Compiler(doc, opts);
  const plan = compiler.compile();
  return { plan, diagnostics: compiler.diagnostics };
}

export type { Criterion };
