// Steps: what every step has (criteria, its own or the workflow's actions, outputs, poll policy, timeout),
// then what an operation step adds (operation, parameters, request body, cancel) or a workflow step
// (the target workflow and its inputs).
import { expressionsIn } from '../expr';
import type { OperationStep, PlanStep, WorkflowStep } from '../plan';
import type { ArazzoStep, ArazzoWorkflow, PollPolicy } from '../types';
import { actions } from './actions';
import { asyncStep, isAsyncStep, warnMessageOutsideReceive } from './async-steps';
import type { Compiler } from './compiler';
import { cancel, extensionOperation, operation } from './operations';
import { compileReconcile } from '../reconcile';
import { compileStatus, STATUS_EXTENSION } from '../batch-status';
import { checkInputExpressions, parameters, workflowInputs } from './parameters';
import { pollPolicy, stepTimeout } from './polling';
import { workflowRef } from './sub-workflows';
import { stepDependsOn } from './step-depends-on';
import { CANCEL_EXTENSION, POLL_EXTENSION, type Where } from './types';

type Path = (string | number)[];
/** Where a step is compiled: its workflow, the step, its document path, the workflow's step ids and poll policy. */
type StepSite = { wf: ArazzoWorkflow; step: ArazzoStep; path: Path; stepIds: Set<string>; wfPoll: PollPolicy; where: Where };
type StepBase = Omit<OperationStep, 'kind' | 'operation' | 'parameters' | 'requestBody' | 'responseHeaders' | 'cancel'>;

/** Lower-case names of the response headers that criteria, actions or outputs read. */
function referencedHeaders(values: unknown[]): string[] {
  const names = new Set<string>();
  for (const e of expressionsIn(values)) if (e.root === 'response' && e.source === 'header') names.add(e.name.toLowerCase());
  return [...names];
}

/** The fields of every step. path = ['workflows', index, 'steps', i]: workflow-level lists live under ['workflows', index]. */
function stepBase(c: Compiler, site: StepSite): StepBase {
  const { wf, step, path, stepIds, wfPoll, where } = site;
  const wfPath = path.slice(0, 2);
  const onSuccess = actions(
    c,
    step.onSuccess ?? wf.successActions ?? [],
    step.onSuccess ? [...path, 'onSuccess'] : [...wfPath, 'successActions'],
    'successActions',
    stepIds,
    where,
  );
  const onFailure = actions(
    c,
    step.onFailure ?? wf.failureActions ?? [],
    step.onFailure ? [...path, 'onFailure'] : [...wfPath, 'failureActions'],
    'failureActions',
    stepIds,
    where,
  );
  const poll = pollPolicy(c, wfPoll, [step[POLL_EXTENSION], [...path, POLL_EXTENSION], wf.workflowId, step.stepId]);
  const timeoutMs = stepTimeout(c, step, path, where);
  const dependsOn = stepDependsOn(c, wf, step, path, stepIds, where);
  return {
    stepId: step.stepId,
    description: step.description,
    ...(dependsOn && { dependsOn }),
    ...(timeoutMs !== undefined && { timeoutMs }),
    successCriteria: step.successCriteria ?? [],
    onSuccess,
    onFailure,
    outputs: step.outputs ?? {},
    poll,
  };
}

function operationStep(c: Compiler, site: StepSite): OperationStep | undefined {
  const { wf, step, path, where } = site;
  const op = operation(c, step, path, where);
  const params = parameters(c, wf, step, path, where, op?.info);
  const base = stepBase(c, site);
  const cancelOp = cancel(c, wf, step, path, where);
  const reconcile = compileReconcile(step, path, {
    report: (code, message, at) => c.report('error', code, message, at, where),
    operationStep: (pseudo, at) => extensionOperation(c, wf, pseudo, at, where),
  });
  const status = compileStatus((step as unknown as Record<string, unknown>)[STATUS_EXTENSION], [...path, STATUS_EXTENSION], (message, at) =>
    c.report('error', 'bad-extension', message, at, where),
  );
  if (!op) return undefined;
  const body = step.requestBody;
  const contentType = body?.contentType ?? op.info.requestBody?.contentTypes[0] ?? 'application/json';
  const fileFields =
    op.info.requestBody?.fileFields[contentType.split(';')[0].trim()] ?? (contentType.startsWith('multipart/') ? ['file'] : undefined);
  return {
    ...base,
    kind: 'operation',
    operation: op.plan,
    parameters: params,
    requestBody: body ? { contentType, payload: body.payload, replacements: body.replacements, fileFields } : undefined,
    responseHeaders: referencedHeaders([base.successCriteria, base.onSuccess, base.onFailure, base.outputs]),
    cancel: cancelOp,
    ...(reconcile && { reconcile }),
    ...(status && { status }),
  };
}

/** The workflow evaluates a workflow step's criteria itself, without an XPath engine. */
function refuseXPath(c: Compiler, base: StepBase, path: Path, where: Where): void {
  for (const crit of [
    ...base.successCriteria,
    ...base.onSuccess.flatMap((a) => a.criteria ?? []),
    ...base.onFailure.flatMap((a) => a.criteria ?? []),
  ]) {
    const type = typeof crit?.type === 'object' && crit.type !== null ? crit.type.type : crit?.type;
    if (type === 'xpath') {
      c.report(
        'error',
        'unsupported',
        `criterion '${crit.condition}': xpath criteria are not supported on a step that runs a workflow (the workflow evaluates its criteria, without an XPath engine); test the child's outputs with a simple, regex or jsonpath criterion`,
        path,
        where,
      );
    }
  }
}

/** A step with `workflowId`: runs that workflow as a child, its parameters as the child's inputs. */
function workflowStep(c: Compiler, site: StepSite): WorkflowStep | undefined {
  const { wf, step, path, where } = site;
  if (step.operationId !== undefined || step.operationPath !== undefined) {
    c.report(
      'error',
      'ambiguous-target',
      'a step has exactly one of operationId, operationPath or workflowId',
      [...path, 'workflowId'],
      where,
    );
  }
  const target = workflowRef(c, step.workflowId, [...path, 'workflowId'], where);
  // Workflow-level parameters without `in` are meant for workflow steps; those with `in` for operations.
  const levelParams = (wf.parameters ?? []).filter((p) => p && typeof p === 'object' && !('reference' in p) && p.in === undefined);
  const inputs = {
    ...workflowInputs(c, levelParams, [...path.slice(0, 2), 'parameters'], where),
    ...workflowInputs(c, step.parameters, [...path, 'parameters'], where),
  };
  checkInputExpressions(c, inputs, [...path, 'parameters'], where);
  const base = stepBase(c, site);
  refuseXPath(c, base, path, where);
  c.ignored(
    step,
    'requestBody',
    'ignored-request-body',
    'a step that runs a workflow sends no request; its requestBody is ignored',
    path,
    where,
  );
  c.ignored(
    step,
    CANCEL_EXTENSION,
    'ignored-extension',
    `${CANCEL_EXTENSION} applies to operation steps; a child workflow is cancelled with its parent`,
    path,
    where,
  );
  if (!target) return undefined;
  return { ...base, kind: 'workflow', workflow: { key: target.key, workflowId: target.workflowId, inputs } };
}

export function compileStep(
  c: Compiler,
  wf: ArazzoWorkflow,
  step: ArazzoStep,
  path: Path,
  stepIds: Set<string>,
  wfPoll: PollPolicy,
): PlanStep | undefined {
  const where = { workflowId: wf.workflowId, stepId: step?.stepId };
  if (!step || typeof step !== 'object') {
    c.report('error', 'bad-step', 'a step must be an object', path, where);
    return undefined;
  }
  const site = { wf, step, path, stepIds, wfPoll, where };
  if (isAsyncStep(c, step)) return asyncStep(c, site, () => stepBase(c, site));
  warnMessageOutsideReceive(c, step, path, where);
  return step.workflowId !== undefined ? workflowStep(c, site) : operationStep(c, site);
}
