// Plans recorded by runs of the version-1 code (test/fixtures/histories) upgrade to the current shape: every
// step says its kind, a workflow step carries no fake operation, actions carry only their type's fields, and
// compile-time data (positions, warnings) is gone. A plan of an unknown version is refused with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_VERSION, type Plan } from '../../src/core/plan';
import { PlanVersionError, upgradePlan, upgradeStep } from '../../src/core/plan-upgrade';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';

const DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');

/** The plan a recorded run was started with (the first event's input, a JSON payload). */
function recordedPlan(file: string): unknown {
  const { history } = JSON.parse(readFileSync(join(DIR, file), 'utf8'));
  const payload = history.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
  return JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')).plan;
}

/** Histories of interpreter runs (the mailbox workflows' histories carry no plan). */
const isRun = (file: string) =>
  JSON.parse(readFileSync(join(DIR, file), 'utf8')).history.events[0].workflowExecutionStartedEventAttributes.workflowType.name === 'arazzoWorkflow';

const plans = (): [string, Plan][] => readdirSync(DIR).filter(isRun).map((f) => [f, upgradePlan(recordedPlan(f))]);

test('every recorded version-1 plan upgrades: steps have a kind, workflow steps no operation, no positions or warnings', () => {
  const all = plans();
  assert.ok(all.length >= 10);
  const seen = { operation: 0, workflow: 0, send: 0, receive: 0 };
  for (const [file, plan] of all) {
    assert.equal(plan.planVersion, PLAN_VERSION, file);
    assert.equal('warnings' in plan, false, file);
    for (const p of [plan, ...Object.values(plan.workflows ?? {})]) {
      for (const step of p.steps) {
        seen[step.kind]++;
        assert.equal('pos' in step || 'docPath' in step, false, `${file} ${step.stepId}`);
        if (step.kind === 'workflow') assert.equal('operation' in step || 'parameters' in step, false, `${file} ${step.stepId}`);
        else if (step.kind === 'operation') assert.notEqual(step.operation.method, 'WORKFLOW', `${file} ${step.stepId}`);
        for (const a of [...step.onSuccess, ...step.onFailure]) {
          assert.equal('parameters' in a, false, `${file} ${step.stepId} ${a.name}: raw parameters are compiled into inputs`);
          if (a.type !== 'retry') assert.equal('retryAfter' in a || 'retryLimit' in a, false, `${file} ${a.name}`);
        }
      }
    }
  }
  assert.ok(seen.operation > 0 && seen.workflow > 0, JSON.stringify(seen));
});

test('a recorded retry that runs a workflow keeps its target key', () => {
  const [, plan] = plans().find(([f]) => f.startsWith('retryWithWorkflow-') && !f.includes('_call_'))!;
  const retry = plan.steps[0].onFailure[0];
  assert.equal(retry.type, 'retry');
  assert.equal(retry.type === 'retry' && retry.workflowKey, 'refreshToken');
});

test('a current plan passes unchanged; an unknown version is refused naming it', () => {
  const [, plan] = plans()[0];
  assert.equal(upgradePlan(plan), plan);
  assert.throws(
    () => upgradePlan({ ...plan, planVersion: 99 }),
    (err: unknown) => err instanceof PlanVersionError && /version 99/.test((err as Error).message),
  );
  assert.throws(() => upgradePlan(undefined), PlanVersionError);
});

test('upgradeStep: a version-1 step (an activity scheduled by the old workflow) gets its kind', () => {
  const v1 = (recordedPlan(readdirSync(DIR).find((f) => f.startsWith('batch-job-'))!) as { steps: Record<string, unknown>[] }).steps[0];
  assert.equal(v1.kind, undefined);
  const step = upgradeStep(v1);
  assert.equal(step.kind, 'operation');
  assert.equal(upgradeStep(step), step);
});
