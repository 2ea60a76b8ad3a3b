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
}

export const progressQuery = defineQuery<Progress>('progress');
