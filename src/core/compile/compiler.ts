// One document's compiler: finds the workflow, compiles it step by step, and reports every problem with
// file:line, workflow and step. The concerns live beside it: operations, parameters, actions, polling,
// sub-workflows, the inputs schema.
import { didYouMean } from '../suggest';
import { listOperations, type OperationInfo } from '../openapi';
import { DEFAULT_POLL, pollPolicyProblem, withDefined } from '../poll-policy';
import { PLAN_VERSION, type Plan, type PlanStep } from '../plan';
import type { ArazzoDocument, Diagnostic } from '../types';
import { inputsSchema as compileInputsSchema } from './inputs-schema';
import { pollPolicy } from './polling';
import { withSelectors } from './selectors';
import { compileStep } from './steps';
import { dependsOn as compileDependsOn } from './sub-workflows';
import { orderByDependsOn, reportStepCycles } from './step-depends-on';
import { POLL_EXTENSION, type CompileOptions, type PlanSites, type Where } from './types';
import type { WorkflowSet } from './workflow-set';

export class Compiler {
  readonly diagnostics: Diagnostic[] = [];
  readonly ops = new Map<string, OperationInfo[]>();
  /** by `<workflowId>/<stepId>`: the string enums of its operation's response body (lint) */
  readonly responseEnums = new Map<string, Record<string, string[]>>();

  constructor(
    readonly doc: ArazzoDocument,
    readonly opts: CompileOptions,
    readonly set: WorkflowSet,
    /** prefix of this document's workflow keys: '' for the document being run, '<source>.' for a referenced one */
    readonly prefix: string,
  ) {
    this.doc = withSelectors(this, doc); // Arazzo 1.1 Selector Objects as plan selectors
    // in the document's declaration order, whatever order the sources were loaded in: messages and the
    // bare-operationId choice must not depend on which download finished first
    const declared = (doc.sourceDescriptions ?? []).map((sd) => sd?.name);
    const rank = (name: string) => (declared.includes(name) ? declared.indexOf(name) : declared.length);
    const sources = Object.values(opts.sources).sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
    for (const source of sources) {
      if (source.spec !== undefined && source.type !== 'arazzo' && source.type !== 'asyncapi')
        this.ops.set(source.name, listOperations(source.spec));
    }
  }

  report(severity: Diagnostic['severity'], code: string, message: string, path: (string | number)[], ctx: Where = {}) {
    this.diagnostics.push({ severity, code, message, pos: this.opts.locate?.(path) ?? { file: this.opts.file }, ...ctx });
  }

  /** A warning, at the field, that a field the step carries has no effect on a step of its kind. */
  ignored(step: object, key: string, code: string, message: string, path: (string | number)[], ctx: Where = {}) {
    if ((step as Record<string, unknown>)[key] !== undefined) this.report('warning', code, message, [...path, key], ctx);
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
      this.report(
        'error',
        'unknown-workflow',
        `no workflow "${this.opts.workflowId}" in the document${didYouMean(
          String(this.opts.workflowId),
          workflows.map((w) => String(w?.workflowId)),
        )} (it has: ${known || 'none'})`,
        ['workflows'],
      );
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
    if (runProblem)
      this.report('error', 'bad-poll-policy', `the run's poll policy (--poll-* flags or the poll option): ${runProblem}`, [], {
        workflowId: wf.workflowId,
      });
    const poll = pollPolicy(
      this,
      runProblem ? DEFAULT_POLL : runPoll,
      [this.doc[POLL_EXTENSION], ['x-temporal-poll']],
      [wf[POLL_EXTENSION], [...base, POLL_EXTENSION], wf.workflowId],
    );
    // unique stepIds are checked once, over the whole document (src/core/document-checks.ts), for every document
    const stepIds = new Set<string>((wf.steps ?? []).map((s) => s?.stepId));
    const dependsOn = compileDependsOn(this, wf, base);
    const inputsSchema = compileInputsSchema(this, wf, base);
    const compiled = (wf.steps ?? []).map((step, i) => compileStep(this, wf, step, [...base, 'steps', i], stepIds, poll));
    // Arazzo 1.1 step dependsOn: no cycles, and each step runs after the local steps it depends on
    const cyclic = reportStepCycles(this, wf, compiled, base);
    const steps = cyclic || compiled.some((s) => !s) ? compiled : orderByDependsOn(compiled as PlanStep[]);
    const sites: PlanSites['steps'] = {};
    (wf.steps ?? []).forEach((step, i) => {
      if (step && typeof step === 'object')
        sites[step.stepId] = {
          pos: this.opts.locate?.([...base, 'steps', i]),
          docPath: [...base, 'steps', i],
          ...(this.responseEnums.has(`${wf.workflowId}/${step.stepId}`) && {
            responseEnums: this.responseEnums.get(`${wf.workflowId}/${step.stepId}`),
          }),
        };
    });
    this.set.sites[this.prefix + wf.workflowId] = { file: this.opts.file, workflowPath: base, steps: sites };
    if (this.diagnostics.some((d) => d.severity === 'error')) return undefined;
    const plan: Plan = {
      planVersion: PLAN_VERSION,
      document: { file: this.opts.file, title: this.doc.info?.title ?? '', arazzo: this.doc.arazzo },
      workflowId: wf.workflowId,
      summary: wf.summary,
      inputsSchema,
      steps: steps as PlanStep[],
      outputs: wf.outputs ?? {},
      sources: Object.fromEntries(Object.values(this.opts.sources).map((s) => [s.name, { url: s.url ?? s.location, type: s.type }])),
      ...(dependsOn.length > 0 && { dependsOn }),
    };
    return this.diagnostics.some((d) => d.severity === 'error') ? undefined : plan;
  }
}
