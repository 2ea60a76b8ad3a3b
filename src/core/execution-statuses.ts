// Apart from search-attributes.ts, which loads @temporalio/common: the CLI's `list --status` help needs these words
// when it registers its commands, and `validate` must not load Temporal to print them.

/** `list --status` words → Temporal's ExecutionStatus values. */
export const EXECUTION_STATUSES: Record<string, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
  'continued-as-new': 'ContinuedAsNew',
};
