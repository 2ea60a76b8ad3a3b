// Compile one workflow of an Arazzo document into a Plan: operations resolved to method, path and
// server, reusable objects inlined, action lists chosen, poll policies fixed. Pure: the caller hands in
// the already-loaded source descriptions. Every problem becomes a Diagnostic naming file:line, workflow
// and step; a Plan is only returned when there is no error.
import { didYouMean } from './suggest';
import { listOperations, operationAtPointer, type OperationInfo } from './openapi';
import { findCycles } from './cycles';
import { parseDuration } from './durations';
import { DEFAULT_POLL, pollPolicyProblem, withDefined } from './poll-policy';
import { getPointer } from './jsonpointer';
import { compileReconcile } from './reconcile';
import { EXPRESSION_ROOTS, findEmbeddedForms, parseExpression } from './expressions';
import type {
  ArazzoAction,
  ArazzoDocument,
  ArazzoParameter,
  ArazzoStep,
  ArazzoWorkflow,
  Criterion,
  Diagnostic,
  JsonSchema,
  Plan,
  PlanAction,
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
  /** where it is, absolute (an http(s) URL, or a file path): what $sourceDescriptions.<name>.url reads; default: location */
  url?: string;
  /** an Arazzo source description: where it was read from, positions in it, and its own source descriptions, loaded */
  arazzo?: { file: string; locate?: Locate; sources: Record<string, LoadedSource> };
}

export interface CompileOptions {
  file: string;
  locate?: Locate;
  /** which workflow to compile; default: the only one, or the first */
  workflowId?: string;
  sources: Record<string, LoadedSource>;
  /**
   * replace the server URL of a source description's operations, by name: a plain name applies to the source
   * descriptions of that name in this document and in the Arazzo documents it references; `<arazzoSource>.<name>`
   * (`<a>.<b>.<name>` further down) only to that referenced document's
   */
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

export { DEFAULT_POLL };

const OPERATION_REF = /^\$sourceDescriptions\.([A-Za-z0-9_-]+)\.(.+)$/;

type Where = { workflowId?: string; stepId?: string };

class Compiler {
  readonly diagnostics: Diagnostic[] = [];
  private readonly ops = new Map<string, OperationInfo[]>();

  constructor(
    private readonly doc: ArazzoDocument,
    readonly opts: CompileOptions,
    private readonly set: WorkflowSet,
    /** prefix of this document's workflow keys: '' for the document being run, '<source>.' for a referenced one */
    readonly prefix: string,
  ) {
    for (const source of Object.values(opts.sources)) {
      if (source.spec !== undefined && source.type !== 'arazzo') this.ops.set(source.name, listOperations(source.spec));
    }
  }

  report(severity: Diagnostic['severity'], code: string, message: string, path: (string | number)[], ctx: Where = {}) {
    this.diagnostics.push({ severity, code, message, pos: this.opts.locate?.(path) ?? { file: this.opts.file }, ...ctx });
  }

  /** Index of a workflow of this document, or -1. */
  indexOf(workflowId: string): number {
    return (this.doc.workflows ?? []).findIndex((w) => w?.workflowId === workflowId);
  }

  compile(): Plan | undefined {
    const workflows = this.doc.workflows ?? [];
    const index = this.opts.workflowId ? workflows.findIndex((w) => w?.workflowId === this.opts.workflowId) : 0;
    if (index < 0 || !workflows[index]) {
      const known = workflows.map((w) => w?.workflowId).join(', ');
      this.report('error', 'unknown-workflow', `no workflow "${this.opts.workflowId}" in the document${didYouMean(String(this.opts.workflowId), workflows.map((w) => String(w?.workflowId)))} (it has: ${known || 'none'})`, ['workflows']);
      return undefined;
    }
    return this.compileAt(index);
  }

  /** Compile the workflow at `index`; its key is prefix + workflowId. */
  compileAt(index: number): Plan | undefined {
    const wf = (this.doc.workflows ?? [])[index];
    const base = ['workflows', index];
    this.set.claim(this.prefix + wf.workflowId);
    const runPoll = withDefined(DEFAULT_POLL, this.opts.poll);
    const runProblem = pollPolicyProblem(runPoll);
    if (runProblem) this.report('error', 'bad-poll-policy', `the run's poll policy (--poll-* flags or the poll option): ${runProblem}`, [], { workflowId: wf.workflowId });
    const poll = this.pollPolicy(
      runProblem ? DEFAULT_POLL : runPoll,
      [this.doc[POLL_EXTENSION], ['x-temporal-poll']],
      [wf[POLL_EXTENSION], [...base, POLL_EXTENSION], wf.workflowId],
    );
    const stepIds = new Set<string>();
    (wf.steps ?? []).forEach((s, i) => {
      if (stepIds.has(s?.stepId)) this.report('error', 'duplicate-step', `stepId "${s.stepId}" is used twice`, [...base, 'steps', i, 'stepId'], { workflowId: wf.workflowId, stepId: s.stepId });
      stepIds.add(s?.stepId);
    });
    const dependsOn = this.dependsOn(wf, base);
    const inputsSchema = this.inputsSchema(wf, base);
    const steps = (wf.steps ?? []).map((step, i) => this.step(wf, step, [...base, 'steps', i], stepIds, poll));
    if (this.diagnostics.some((d) => d.severity === 'error')) return undefined;
    return {
      planVersion: 1,
      document: { file: this.opts.file, title: this.doc.info?.title ?? '', arazzo: this.doc.arazzo },
      workflowId: wf.workflowId,
      summary: wf.summary,
      inputsSchema,
      steps: steps as PlanStep[],
      outputs: wf.outputs ?? {},
      sources: Object.fromEntries(Object.values(this.opts.sources).map((s) => [s.name, { url: s.url ?? s.location, type: s.type }])),
      warnings: this.diagnostics.filter((d) => d.severity === 'warning'),
      ...(dependsOn.length > 0 && { dependsOn }),
    };
  }

  // ---------- other workflows: dependsOn, workflowId steps, goto/retry workflowId ----------

  /**
   * Resolve a workflow reference (a workflowId of this document, or `$sourceDescriptions.<arazzoSource>.<workflowId>`)
   * to its key, and have it compiled too.
   */
  private workflowRef(ref: unknown, path: (string | number)[], where: Where): { key: string; workflowId: string; source?: string } | undefined {
    if (typeof ref !== 'string' || !ref) {
      this.report('error', 'bad-workflow-reference', 'a workflow reference must be a workflowId or $sourceDescriptions.<name>.<workflowId>', path, where);
      return undefined;
    }
    const m = OPERATION_REF.exec(ref);
    let target: Compiler = this;
    let workflowId = ref;
    if (m) {
      const source = this.opts.sources[m[1]];
      if (!source) {
        this.report('error', 'unknown-source', `"${ref}" names source "${m[1]}", which is not in sourceDescriptions`, path, where);
        return undefined;
      }
      if (source.type !== 'arazzo') {
        this.report('error', 'not-an-arazzo-source', `"${ref}" names source "${m[1]}", which is an ${source.type} description; workflows come from a source description of type arazzo`, path, where);
        return undefined;
      }
      if (!this.sourceUsable(source, path, where)) return undefined;
      const nested = source.arazzo ?? { file: source.location, sources: {} };
      target = this.set.compiler(source.spec as ArazzoDocument, { file: nested.file, locate: nested.locate, sources: nested.sources, poll: this.opts.poll }, `${this.prefix}${m[1]}.`);
      workflowId = m[2];
    }
    const index = target.indexOf(workflowId);
    if (index < 0) {
      const known = (target.doc.workflows ?? []).map((w) => w?.workflowId).join(', ');
      this.report('error', 'unknown-workflow', `"${ref}" names no workflow of ${target.opts.file}${didYouMean(workflowId, (target.doc.workflows ?? []).map((w) => String(w?.workflowId)))} (it has: ${known || 'none'})`, path, where);
      return undefined;
    }
    const key = target.prefix + workflowId;
    this.set.request(target, index, key);
    return { key, workflowId, source: m?.[1] };
  }

  /** Workflow-level dependsOn: keys of the workflows that complete before this one starts. */
  private dependsOn(wf: ArazzoWorkflow, base: (string | number)[]): string[] {
    if (wf.dependsOn === undefined) return [];
    const where = { workflowId: wf.workflowId };
    if (!Array.isArray(wf.dependsOn)) {
      this.report('error', 'bad-depends-on', 'dependsOn must be a list of workflowIds', [...base, 'dependsOn'], where);
      return [];
    }
    const keys: string[] = [];
    wf.dependsOn.forEach((ref, i) => {
      const target = this.workflowRef(ref, [...base, 'dependsOn', i], where);
      if (target && !keys.includes(target.key)) keys.push(target.key);
    });
    this.set.edges.set(this.prefix + wf.workflowId, { deps: keys, compiler: this, path: [...base, 'dependsOn'], workflowId: wf.workflowId });
    return keys;
  }

  /** The inputs schema with `$ref: '#/components/inputs/<name>'` replaced by the component (anywhere in it). */
  private inputsSchema(wf: ArazzoWorkflow, base: (string | number)[]): JsonSchema | undefined {
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
        target = ref.startsWith('#/components/inputs/') ? getPointer(this.doc, ref, { uriFragment: true }) : undefined;
      } catch {
        target = undefined;
      }
      if (target === undefined || typeof target !== 'object' || target === null) {
        this.report('error', 'unknown-reference', `$ref "${ref}" does not name an entry of components.inputs`, [...path, '$ref'], where);
        return siblings;
      }
      if (trail.includes(ref)) {
        this.report('error', 'recursive-reference', `$ref "${ref}" refers to itself: ${[...trail, ref].join(' → ')}`, [...path, '$ref'], where);
        return siblings;
      }
      trail.push(ref);
      const resolved = inline(target, ref.slice(2).split('/'));
      trail.pop();
      return Object.keys(siblings).length ? { allOf: [resolved], ...siblings } : resolved;
    };
    const schema = inline(wf.inputs, [...base, 'inputs']);
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
      this.report('error', 'bad-inputs', 'inputs must be a JSON Schema object', [...base, 'inputs'], where);
      return undefined;
    }
    return schema as JsonSchema;
  }

  /** Arazzo 1.1 step `timeout`, in milliseconds. */
  private stepTimeout(step: ArazzoStep, path: (string | number)[], where: Where): number | undefined {
    if (step.timeout === undefined) return undefined;
    if (typeof step.timeout !== 'number' || !Number.isFinite(step.timeout) || step.timeout <= 0) {
      this.report('error', 'bad-timeout', `timeout must be a positive number of milliseconds, got ${JSON.stringify(step.timeout)}`, [...path, 'timeout'], where);
      return undefined;
    }
    return Math.ceil(step.timeout);
  }

  /** Expressions in the inputs of a workflow step or action parse (lint checks those of operation steps). */
  private checkInputExpressions(inputs: Record<string, unknown>, path: (string | number)[], where: Where): void {
    const looksLike = new RegExp(`^\\$(${EXPRESSION_ROOTS.join('|')})\\b`);
    for (const [name, value] of Object.entries(inputs)) {
      for (const bad of findEmbeddedForms(value).invalidBraced) this.report('error', 'bad-expression', `input "${name}": "${bad}" is not a valid runtime expression`, path, where);
      if (typeof value === 'string' && looksLike.test(value) && !/\s/.test(value)) {
        try {
          parseExpression(value);
        } catch (err) {
          this.report('error', 'bad-expression', `input "${name}": ${(err as Error).message}`, path, where);
        }
      }
    }
  }

  /** Parameters that become a workflow's inputs: name → value (`in` is not needed and ignored). */
  private workflowInputs(list: (ArazzoParameter | ReusableRef)[] | undefined, listPath: (string | number)[], where: Where): Record<string, unknown> | undefined {
    if (list === undefined) return undefined;
    const inputs: Record<string, unknown> = {};
    (Array.isArray(list) ? list : []).forEach((raw, i) => {
      const p = this.resolveRef<ArazzoParameter>(raw, 'parameters', [...listPath, i], where);
      if (!p) return;
      if (typeof p.name !== 'string' || !p.name) this.report('error', 'bad-parameter', 'a parameter needs a name', [...listPath, i], where);
      else inputs[p.name] = p.value;
    });
    return inputs;
  }

  /** A step with `workflowId`: runs that workflow as a child, its parameters as the child's inputs. */
  private workflowStep(wf: ArazzoWorkflow, step: ArazzoStep, path: (string | number)[], stepIds: Set<string>, wfPoll: PollPolicy): PlanStep | undefined {
    const where = { workflowId: wf.workflowId, stepId: step.stepId };
    if (step.operationId !== undefined || step.operationPath !== undefined) {
      this.report('error', 'ambiguous-target', 'a step has exactly one of operationId, operationPath or workflowId', [...path, 'workflowId'], where);
    }
    const target = this.workflowRef(step.workflowId, [...path, 'workflowId'], where);
    // Workflow-level parameters without `in` are meant for workflow steps; those with `in` for operations.
    const levelParams = (wf.parameters ?? []).filter((p) => p && typeof p === 'object' && !('reference' in p) && p.in === undefined);
    const inputs = { ...this.workflowInputs(levelParams, [...path.slice(0, 2), 'parameters'], where), ...this.workflowInputs(step.parameters, [...path, 'parameters'], where) };
    this.checkInputExpressions(inputs, [...path, 'parameters'], where);
    const wfPath = path.slice(0, 2);
    const onSuccess = this.actions(step.onSuccess ?? wf.successActions ?? [], step.onSuccess ? [...path, 'onSuccess'] : [...wfPath, 'successActions'], 'successActions', stepIds, where);
    const onFailure = this.actions(step.onFailure ?? wf.failureActions ?? [], step.onFailure ? [...path, 'onFailure'] : [...wfPath, 'failureActions'], 'failureActions', stepIds, where);
    const criteria = step.successCriteria ?? [];
    for (const c of [...criteria, ...onSuccess.flatMap((a) => a.criteria ?? []), ...onFailure.flatMap((a) => a.criteria ?? [])]) {
      const type = typeof c?.type === 'object' && c.type !== null ? c.type.type : c?.type;
      if (type === 'xpath') {
        this.report('error', 'unsupported', `criterion '${c.condition}': xpath criteria are not supported on a step that runs a workflow (the workflow evaluates its criteria, without an XPath engine); test the child's outputs with a simple, regex or jsonpath criterion`, path, where);
      }
    }
    if (step.requestBody !== undefined) this.report('warning', 'ignored-request-body', 'a step that runs a workflow sends no request; its requestBody is ignored', [...path, 'requestBody'], where);
    if (step[CANCEL_EXTENSION] !== undefined) this.report('warning', 'ignored-extension', `${CANCEL_EXTENSION} applies to operation steps; a child workflow is cancelled with its parent`, [...path, CANCEL_EXTENSION], where);
    const poll = this.pollPolicy(wfPoll, [step[POLL_EXTENSION], [...path, POLL_EXTENSION], wf.workflowId, step.stepId]);
    const timeoutMs = this.stepTimeout(step, path, where);
    if (!target) return undefined;
    return {
      stepId: step.stepId,
      description: step.description,
      operation: { source: target.source ?? '', method: 'WORKFLOW', path: target.workflowId, serverUrl: '' },
      workflow: { key: target.key, workflowId: target.workflowId, inputs },
      ...(timeoutMs !== undefined && { timeoutMs }),
      parameters: [],
      successCriteria: criteria,
      onSuccess,
      onFailure,
      outputs: step.outputs ?? {},
      responseHeaders: [],
      poll,
      pos: this.opts.locate?.(path),
      docPath: path,
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
      if (backoff !== undefined && !(Number.isFinite(backoff) && backoff >= 1)) this.report('error', 'bad-extension', `${POLL_EXTENSION}.backoff must be a number >= 1`, [...path, 'backoff'], { workflowId, stepId });
      const interval = ms('interval');
      const maxInterval = ms('maxInterval');
      if (interval !== undefined && interval <= 0) this.report('error', 'bad-extension', `${POLL_EXTENSION}.interval must be longer than 0`, [...path, 'interval'], { workflowId, stepId });
      if (interval !== undefined && maxInterval !== undefined && maxInterval < interval) {
        this.report('error', 'bad-extension', `${POLL_EXTENSION}.maxInterval (${String(e.maxInterval)}) must not be shorter than interval (${String(e.interval)})`, [...path, 'maxInterval'], { workflowId, stepId });
      }
      policy = withDefined(policy, {
        initialIntervalMs: interval !== undefined && interval > 0 ? interval : undefined,
        maxIntervalMs: maxInterval !== undefined && maxInterval > 0 ? maxInterval : undefined,
        backoff: backoff !== undefined && backoff >= 1 && Number.isFinite(backoff) ? backoff : undefined,
        timeoutMs: ms('timeout'),
      });
      // an interval set above the inherited cap (interval: 2m under the default 60s) raises the cap with it
      if (policy.maxIntervalMs < policy.initialIntervalMs) policy = { ...policy, maxIntervalMs: policy.initialIntervalMs };
    }
    const problem = pollPolicyProblem(policy);
    const [, path, workflowId, stepId] = layers[layers.length - 1] ?? [undefined, [], undefined, undefined];
    if (problem) this.report('error', 'bad-poll-policy', `poll policy: ${problem}`, path, { workflowId, stepId });
    return policy;
  }

  private step(wf: ArazzoWorkflow, step: ArazzoStep, path: (string | number)[], stepIds: Set<string>, wfPoll: PollPolicy): PlanStep | undefined {
    const where = { workflowId: wf.workflowId, stepId: step?.stepId };
    if (!step || typeof step !== 'object') {
      this.report('error', 'bad-step', 'a step must be an object', path, where);
      return undefined;
    }
    if (step.workflowId !== undefined) return this.workflowStep(wf, step, path, stepIds, wfPoll);
    const operation = this.operation(step, path, where);
    const parameters = this.parameters(wf, step, path, where, operation?.info);
    // path = ['workflows', index, 'steps', i]: workflow-level lists live under ['workflows', index]
    const wfPath = path.slice(0, 2);
    const onSuccess = this.actions(step.onSuccess ?? wf.successActions ?? [], step.onSuccess ? [...path, 'onSuccess'] : [...wfPath, 'successActions'], 'successActions', stepIds, where);
    const onFailure = this.actions(step.onFailure ?? wf.failureActions ?? [], step.onFailure ? [...path, 'onFailure'] : [...wfPath, 'failureActions'], 'failureActions', stepIds, where);
    const poll = this.pollPolicy(wfPoll, [step[POLL_EXTENSION], [...path, POLL_EXTENSION], wf.workflowId, step.stepId]);
    const cancel = this.cancel(wf, step, path, where);
    const reconcile = compileReconcile(step, path, {
      report: (code, message, at) => this.report('error', code, message, at, where),
      operationStep: (pseudo, at) => this.operationStep(wf, pseudo, at, where),
    });
    const timeoutMs = this.stepTimeout(step, path, where);
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
      ...(reconcile && { reconcile }),
      ...(timeoutMs !== undefined && { timeoutMs }),
      pos: this.opts.locate?.(path),
      docPath: path,
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
        const near = didYouMean(opId, names.flatMap((n) => (this.ops.get(n) ?? []).map((o) => o.operationId ?? '')));
        this.report('error', 'unknown-operation', `operationId "${ref}" is not defined in ${names.map((n) => `${n} (${this.opts.sources[n]?.location})`).join(', ') || 'any source description'}${near}`, [...path, key], where);
        return undefined;
      }
      if (candidates.length > 1) {
        this.report('error', 'ambiguous-operation', `operationId "${ref}" is defined in several sources: ${candidates.map((c) => `$sourceDescriptions.${c.source}.${opId}`).join(', ')}; name one`, [...path, key], where);
        return undefined;
      }
      if (!m && this.ops.size > 1) this.report('warning', 'bare-operation-id', `bare operationId "${ref}" with several source descriptions; resolved to $sourceDescriptions.${candidates[0].source}.${opId}`, [...path, key], where);
    }
    const { source, info } = candidates[0];
    const serverUrl = this.set.serverOverride(this.prefix, source) ?? info.servers[0] ?? '/';
    return {
      info,
      plan: { source, operationId: info.operationId, method: info.method, path: info.path, serverUrl: serverUrl.replace(/\/+$/, ''), responseContentTypes: info.responseContentTypes, ...(info.idempotent && { idempotent: true }) },
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
        merged.set(key, { name: p.name, in: location as PlanParameter['in'], value: p.value, ...((declared?.required || location === 'path') && { required: true }) });
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

  private actions(list: (ArazzoAction | ReusableRef)[], listPath: (string | number)[], kind: 'successActions' | 'failureActions', stepIds: Set<string>, where: { workflowId?: string; stepId?: string }): PlanAction[] {
    const out: PlanAction[] = [];
    list.forEach((raw, i) => {
      let action: PlanAction | undefined = this.resolveRef<ArazzoAction>(raw, kind, [...listPath, i], where);
      if (!action) return;
      const at = [...listPath, i];
      if (action.stepId !== undefined && action.workflowId !== undefined) {
        this.report('error', 'bad-action', `action "${action.name}" names both a stepId and a workflowId; it can go to one`, at, where);
      } else if ((action.type === 'goto' || action.type === 'retry') && action.workflowId !== undefined) {
        const target = this.workflowRef(action.workflowId, [...at, 'workflowId'], where);
        const inputs = this.workflowInputs(action.parameters, [...at, 'parameters'], where);
        if (inputs) this.checkInputExpressions(inputs, [...at, 'parameters'], where);
        if (target) action = { ...action, workflowKey: target.key, ...(inputs && { inputs }) };
      } else if ((action.type === 'goto' || (action.type === 'retry' && action.stepId !== undefined)) && !stepIds.has(action.stepId as string)) {
        this.report('error', 'unknown-step', `action "${action.name}" goes to step "${action.stepId}", which does not exist in workflow "${where.workflowId}"${didYouMean(String(action.stepId), stepIds)}`, [...at, 'stepId'], where);
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
    const op = this.operationStep(wf, pseudo, at, where);
    return op && { stepId: pseudo.stepId, ...op };
  }

  /** An operation an extension names (cancel, reconcile lookup), with its parameters. */
  private operationStep(wf: ArazzoWorkflow, pseudo: ArazzoStep, at: (string | number)[], where: Where): { operation: PlanOperation; parameters: PlanParameter[] } | undefined {
    const op = this.operation(pseudo, at, where);
    if (!op) return undefined;
    return { operation: op.plan, parameters: this.parameters(wf, pseudo, at, where, op.info) };
  }
}

/** Lower-case names of the response headers that criteria, actions or outputs read. */
function referencedHeaders(values: unknown[]): string[] {
  const names = new Set<string>();
  const text = JSON.stringify(values);
  for (const m of text.matchAll(/\$response\.header\.([A-Za-z0-9!#$%&'*+.^_`|~-]+)/g)) names.add(m[1].toLowerCase());
  return [...names];
}

/**
 * Every workflow a run can reach, across documents: one Compiler per document (by location), each workflow compiled
 * once under its key, dependsOn checked for cycles.
 */
class WorkflowSet {
  readonly compilers: Compiler[] = [];
  private readonly byFile = new Map<string, Compiler>();
  readonly plans = new Map<string, Plan>();
  /** keys compiled or queued */
  private readonly claimed = new Set<string>();
  /** keys some reference names */
  readonly referenced = new Set<string>();
  private readonly queue: { compiler: Compiler; index: number; key: string }[] = [];
  readonly edges = new Map<string, { deps: string[]; compiler: Compiler; path: (string | number)[]; workflowId: string }>();

  constructor(private readonly rootOverrides: Record<string, string> | undefined) {}

  compiler(doc: ArazzoDocument, opts: CompileOptions, prefix: string): Compiler {
    const hit = this.byFile.get(opts.file);
    if (hit) return hit;
    const compiler = new Compiler(doc, opts, this, prefix);
    this.byFile.set(opts.file, compiler);
    this.compilers.push(compiler);
    return compiler;
  }

  claim(key: string): void {
    this.claimed.add(key);
  }

  /** A workflow some reference names: compiled later, once. */
  request(compiler: Compiler, index: number, key: string): void {
    this.referenced.add(key);
    if (this.claimed.has(key)) return;
    this.claimed.add(key);
    this.queue.push({ compiler, index, key });
  }

  drain(): void {
    for (let item = this.queue.shift(); item; item = this.queue.shift()) {
      const plan = item.compiler.compileAt(item.index);
      if (plan) this.plans.set(item.key, plan);
    }
  }

  serverOverride(prefix: string, source: string): string | undefined {
    return this.rootOverrides?.[prefix + source] ?? this.rootOverrides?.[source];
  }

  /** Report every dependsOn cycle once, naming it: a → b → a. */
  checkCycles(): void {
    for (const cycle of findCycles(this.edges.keys(), (key) => this.edges.get(key)?.deps ?? [])) {
      const edge = this.edges.get(cycle[0]);
      edge?.compiler.report('error', 'dependency-cycle', `dependsOn cycle: ${cycle.join(' → ')}`, edge.path, { workflowId: edge.workflowId });
    }
  }
}

export function compileWorkflow(doc: ArazzoDocument, opts: CompileOptions): CompileResult {
  const set = new WorkflowSet(opts.serverOverrides);
  const main = set.compiler(doc, opts, '');
  let plan = main.compile();
  if (plan) {
    set.plans.set(plan.workflowId, plan);
    set.drain();
    set.checkCycles();
  }
  const diagnostics = set.compilers.flatMap((c) => c.diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) plan = undefined;
  if (plan) {
    plan.warnings = diagnostics.filter((d) => d.severity === 'warning');
    const others = [...set.plans].filter(([key]) => key !== plan!.workflowId || set.referenced.has(key));
    if (others.length) plan.workflows = Object.fromEntries(others.map(([key, p]) => [key, { ...p, warnings: [] }]));
  }
  return { plan, diagnostics };
}

export type { Criterion };
