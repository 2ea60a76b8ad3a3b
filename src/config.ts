// Connection settings and names used by both the worker and the client, in one place.
export const TASK_QUEUE = process.env.ARAZZO_TASK_QUEUE ?? 'arazzo-temporal';
export const WORKFLOW_TYPE = 'arazzoWorkflow';

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** where the interpreter workflows run */
  taskQueue: string;
  /** where the HTTP step activities run (default: the same queue); a separate queue lets HTTP workers scale and size apart */
  activityTaskQueue: string;
}

export function temporalSettings(overrides: Partial<TemporalSettings> = {}): TemporalSettings {
  return {
    address: overrides.address ?? process.env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    namespace: overrides.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: overrides.taskQueue ?? TASK_QUEUE,
    activityTaskQueue: overrides.activityTaskQueue ?? process.env.ARAZZO_ACTIVITY_TASK_QUEUE ?? overrides.taskQueue ?? TASK_QUEUE,
  };
}
