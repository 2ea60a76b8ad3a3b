// Readers of a compiled plan for tests: a step of the kind the test expects (asserted), an action's target.
import assert from 'node:assert/strict';
import type { OperationStep, Plan, PlanAction, PlanStep, WorkflowStep } from '../../src/core/plan';

export function operationStep(step: PlanStep | undefined): OperationStep {
  assert.equal(step?.kind, 'operation', `step ${step?.stepId} runs an operation`);
  return step as OperationStep;
}

export function workflowStep(step: PlanStep | undefined): WorkflowStep {
  assert.equal(step?.kind, 'workflow', `step ${step?.stepId} runs a workflow`);
  return step as WorkflowStep;
}

/** Every step of a plan whose steps all run operations. */
export const operationSteps = (plan: Plan): OperationStep[] => plan.steps.map(operationStep);

/** stepId, workflowKey and workflowId of a goto or retry action (none for end). */
export const targetOf = (a: PlanAction | { type: string } | undefined): { stepId?: string; workflowKey?: string; workflowId?: string } =>
  a && a.type !== 'end' ? (a as { stepId?: string; workflowKey?: string }) : {};
