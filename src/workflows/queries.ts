// Queries the interpreter answers; the client imports the definitions to ask them.
import { defineQuery } from '@temporalio/workflow';

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
