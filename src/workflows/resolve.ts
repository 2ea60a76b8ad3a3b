// Outcome unknown: a create step whose request may or may not have been processed, and that declares no way to
// reconcile, stops with ArazzoOutcomeUnknown (src/activities/request-safety.ts). The run does not fail: it waits for
// an operator, who checks the provider's console and answers with the `resolve` Update (CLI `resolve <workflowId>
// --step <stepId> --use-id <id> | --resend`, client `ArazzoClient.resolve`):
//   - useId: the request did create something, with this id. The step is judged as if it had answered 200 with
//     body {"id": <id>}: its criteria and outputs apply ($response.body#/id is the id);
//   - resend: it created nothing; the request is sent again (with the same Idempotency-Key).
// The run then continues from that step. The progress query shows the wait (outcomeUnknown).
import { ActivityFailure, ApplicationFailure, condition, defineUpdate, log, setHandler } from '@temporalio/workflow';
import { OUTCOME_UNKNOWN, type StepOutcome } from '../core/contract';

export interface ResolveRequest {
  stepId: string;
  /** the id of what the request created */
  useId?: string;
  /** the request created nothing: send it again */
  resend?: boolean;
}

export interface ResolveResult {
  stepId: string;
  resolution: 'use-id' | 'resend';
}

export const resolveUpdate = defineUpdate<ResolveResult, [ResolveRequest]>('resolve');

export interface OutcomeUnknownWait {
  stepId: string;
  message: string;
}

/** The failure of an activity that stopped with an unknown outcome, or undefined. */
function outcomeUnknownOf(err: unknown): ApplicationFailure | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type === OUTCOME_UNKNOWN ? cause : undefined;
}

/** The resolve Update of one run: at most one step waits at a time (steps run one after the other). */
export class Resolver {
  waiting?: OutcomeUnknownWait;
  private answer?: ResolveRequest;

  constructor() {
    setHandler(
      resolveUpdate,
      (req) => {
        this.answer = req;
        log.info(`step ${req.stepId}: outcome resolved by an operator: ${req.useId !== undefined ? `use id ${req.useId}` : 'send again'}`);
        return { stepId: req.stepId, resolution: req.useId !== undefined ? 'use-id' : 'resend' };
      },
      {
        validator: (req) => {
          if (!this.waiting)
            throw new Error('no step of this run is waiting for a resolution (only a step stopped with "outcome unknown" is)');
          if (req?.stepId !== this.waiting.stepId) throw new Error(`step ${req?.stepId} is not waiting; step ${this.waiting.stepId} is`);
          if ((req.useId !== undefined) === (req.resend === true))
            throw new Error('give exactly one of useId (what the request created) or resend');
          if (req.useId !== undefined && (typeof req.useId !== 'string' || !req.useId.trim()))
            throw new Error('useId must be a non-empty string');
        },
      },
    );
  }

  /**
   * Run a step's activity; on an unknown outcome wait for the operator: `useId` judges the step on {id}, `resend`
   * runs the activity again with resend set.
   */
  async guard(stepId: string, send: (resend: boolean) => Promise<StepOutcome>, useId: (id: string) => StepOutcome): Promise<StepOutcome> {
    let resend = false;
    for (;;) {
      try {
        return await send(resend);
      } catch (err) {
        const unknown = outcomeUnknownOf(err);
        if (!unknown) throw err;
        log.warn(unknown.message);
        this.waiting = { stepId, message: unknown.message };
        this.answer = undefined;
        await condition(() => this.answer !== undefined);
        const answer = this.answer!;
        this.waiting = undefined;
        if (answer.useId !== undefined) return useId(answer.useId);
        resend = true;
      }
    }
  }
}
