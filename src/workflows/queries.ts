// Queries the interpreter answers; the client imports the definitions to ask them.
import { defineQuery } from '@temporalio/workflow';
import type { RunStatusRecord } from '../core/run-status';

export interface Progress {
  /** index of the step running now (0-based) */
  index: number;
  stepId?: string;
  stepRuns: number;
  polls: number;
  /** a create step stopped with "outcome unknown" and waits for the resolve Update (resolve.ts) */
  outcomeUnknown?: { stepId: string; message: string };
  /** the job's normalized status and counts so far (x-temporal-status; see ArazzoRunResult) */
  batchStatus?: string;
  requestCounts?: { total: number; completed: number; failed: number };
}

export const progressQuery = defineQuery<Progress>('progress');

/** The run's live status record (src/core/run-status.ts); a client makes it live with the pending activity's heartbeat. */
export const statusQuery = defineQuery<RunStatusRecord>('status');
