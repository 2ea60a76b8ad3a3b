// What the interpreter starts from. A compiled plan (our client, child runs, continue-as-new) is used as it is;
// a run request naming a document (any Temporal client) is prepared by the prepareRun activity, whose result —
// the plan — is recorded in history, so a replay never reads the document again. Anything else fails the run at
// once with a non-retryable ApplicationFailure that says what was expected: an error thrown here that is not a
// Temporal failure would fail the workflow task instead, and the task would be retried forever.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { PrepareActivities } from '../core/contract';
import { PLAN_VERSION } from '../core/plan';
import { BAD_START, PREPARE_ERRORS, RUN_REQUEST_VERSION, type DocumentRunRequest } from '../core/run-request';
import type { ArazzoRunInput } from './run';

/** Plan versions this interpreter runs: the current one, and versions 1 and 2 of runs started before it (upgraded). */
const PLAN_VERSIONS = [1, 2, PLAN_VERSION];

const EXPECTED =
  'arazzoWorkflow takes one argument: a run request {"document": "<path under a document root> | <https URL> | {\\"inline\\": \\"<yaml>\\"}", "workflow": ..., "inputs": {...}} (schemas/run-request.schema.json), or a compiled plan {"plan": {...}, "inputs": {...}} as the arazzo-temporal client sends';

function describe(value: unknown): string {
  if (value === undefined) return 'no input';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 60)})`;
  const keys = Object.keys(value);
  return keys.length
    ? `an object with ${keys
        .slice(0, 8)
        .map((k) => `"${k}"`)
        .join(', ')}`
    : 'an empty object';
}

const bad = (message: string) => ApplicationFailure.nonRetryable(message, BAD_START);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The parts of a plan the interpreter reads before anything else; a damaged plan fails here, clearly. */
function checkPlanInput(input: Record<string, unknown>): ArazzoRunInput {
  const plan = input.plan;
  if (!isObject(plan)) throw bad(`"plan" must be a compiled plan object, got ${describe(plan)}. ${EXPECTED}`);
  if (!PLAN_VERSIONS.includes(plan.planVersion as number)) {
    // the same failure type as the interpreter's own version check (upgradePlan)
    throw ApplicationFailure.nonRetryable(
      `the plan has planVersion ${JSON.stringify(plan.planVersion)}; this worker runs plan version${PLAN_VERSIONS.length > 1 ? 's' : ''} ${PLAN_VERSIONS.join(', ')}. Start the run with a client of the same release as the worker, or pass a run request {"document": ...} and let the worker compile it`,
      'ArazzoPlanVersion',
    );
  }
  const problems = [
    typeof plan.workflowId !== 'string' && '"workflowId" is not a string',
    !Array.isArray(plan.steps) && '"steps" is not a list',
    !isObject(plan.outputs) && '"outputs" is not an object',
    !isObject(plan.sources) && '"sources" is not an object',
    !isObject(plan.document) && '"document" is not an object',
    Array.isArray(plan.steps) && plan.steps.some((s) => !isObject(s) || typeof s.stepId !== 'string') && 'a step has no stepId',
    input.inputs !== undefined && !isObject(input.inputs) && '"inputs" is not an object',
  ].filter(Boolean);
  if (problems.length) throw bad(`the plan is damaged: ${problems.join('; ')}`);
  return { ...(input as unknown as ArazzoRunInput), inputs: (input.inputs as Record<string, unknown>) ?? {} };
}

const { prepareRun } = proxyActivities<PrepareActivities>({
  summary: 'prepare the document: read, validate, compile',
  startToCloseTimeout: '2m',
  // a document that cannot be read for a moment (a URL) is tried again; an invalid one fails at once
  retry: { initialInterval: '1s', maximumAttempts: 5, nonRetryableErrorTypes: PREPARE_ERRORS },
});

/** The interpreter's input for whatever a client started the workflow with; throws a non-retryable failure otherwise. */
export async function runInputOf(start: unknown): Promise<ArazzoRunInput> {
  if (!isObject(start)) throw bad(`the workflow was started with ${describe(start)}. ${EXPECTED}`);
  if ('plan' in start) return checkPlanInput(start);
  if (!('document' in start))
    throw bad(`the workflow was started with ${describe(start)}, which has neither "document" nor "plan". ${EXPECTED}`);
  if (start.version !== undefined && start.version !== RUN_REQUEST_VERSION) {
    throw bad(
      `run request version ${JSON.stringify(start.version)} is not supported; this worker reads version ${RUN_REQUEST_VERSION} (schemas/run-request.schema.json)`,
    );
  }
  try {
    const prepared = await prepareRun(start as unknown as DocumentRunRequest);
    return { plan: prepared.plan, inputs: prepared.inputs, options: prepared.options };
  } catch (err) {
    // the activity's own message (validation errors with file:line) becomes the run's failure, type kept
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure) throw ApplicationFailure.nonRetryable(cause.message, cause.type ?? BAD_START);
    throw err;
  }
}
