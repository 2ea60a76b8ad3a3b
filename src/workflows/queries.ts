// Queries the interpreter answers; the client imports the definitions to ask them.
import { defineQuery } from '@temporalio/workflow';

export interface Progress {
  /** index of the step running now (0-based) */
  index: number;
  stepId?: string;
  stepRuns: number;
  polls: number;
}

export const progressQuery = defineQuery<Progress>('progress');
