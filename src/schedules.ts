// Schedules in full, for the client library (src/client.ts): specs and policies from the words a person writes
// (--cron, --every, --jitter, --overlap, --catchup-window), and a description of a schedule that says what it
// will do next and what its recent firings did.
import type { Client, ScheduleDescription, ScheduleOverlapPolicy, ScheduleSpec } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { parseDuration } from './core/durations';
import type { DocumentRunRequest } from './core/run-request';

/** What a firing does while the schedule's previous run is still open (Temporal's ScheduleOverlapPolicy). */
export const OVERLAPS = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all'] as const;
export type Overlap = (typeof OVERLAPS)[number];

export function overlapPolicy(overlap: Overlap | undefined): ScheduleOverlapPolicy | undefined {
  if (overlap === undefined) return undefined;
  if (!OVERLAPS.includes(overlap)) throw new Error(`overlap "${overlap}": expected one of ${OVERLAPS.join(', ')}`);
  return overlap.toUpperCase().replace('-', '_') as ScheduleOverlapPolicy;
}

function overlapWord(policy: string | undefined): string {
  return (policy ?? 'SKIP').toLowerCase().replace('_', '-');
}

/** When a schedule fires: a cron expression or an interval, and a jitter added to each time. */
export interface ScheduleTimes {
  cron?: string;
  every?: string;
  jitter?: string;
}

/** How a schedule behaves: overlap, catch-up window, paused or not and why. */
export interface SchedulePolicies {
  overlap?: Overlap;
  /** how late a missed firing is still taken after an outage (default 1m) */
  catchupWindow?: string;
  paused?: boolean;
  note?: string;
}

function checkedDuration(what: string, value: string): Duration {
  if (parseDuration(value) === undefined) throw new Error(`${what}: cannot read "${value}" as a duration (e.g. 30s, 5m, 1h)`);
  return value as Duration;
}

export function scheduleSpec(times: ScheduleTimes): ScheduleSpec {
  if (!!times.cron === !!times.every) throw new Error('a schedule needs exactly one of a cron expression or an interval');
  const jitter = times.jitter ? { jitter: checkedDuration('jitter', times.jitter) } : {};
  if (times.cron) return { cronExpressions: [times.cron], ...jitter };
  return { intervals: [{ every: checkedDuration('every', times.every as string) }], ...jitter };
}

/** The words of a spec: "0 2 * * *", "every 1h" (with "jitter 5m"). */
export function specWords(times: ScheduleTimes): string {
  const base = times.cron ?? `every ${times.every}`;
  return times.jitter ? `${base}, jitter ${times.jitter}` : base;
}

export function policies(p: SchedulePolicies) {
  return {
    overlap: overlapPolicy(p.overlap),
    catchupWindow: checkedDuration('catchup window', p.catchupWindow ?? '1m'),
  };
}

/** Only the policies given, checked: for an update that keeps the others. */
export function changedPolicies(p: Omit<SchedulePolicies, 'paused' | 'note'>) {
  return {
    ...(p.overlap && { overlap: overlapPolicy(p.overlap) }),
    ...(p.catchupWindow && { catchupWindow: checkedDuration('catch-up window', p.catchupWindow) }),
  };
}

/** One recent firing: when, which run, and how that run stands (RUNNING, COMPLETED, FAILED, …). */
export interface ScheduleAction {
  scheduledAt: Date;
  takenAt: Date;
  workflowId: string;
  runId: string;
  status: string;
}

export interface ScheduleView {
  scheduleId: string;
  /** the spec as written ("0 2 * * *", "every 1h") */
  spec: string;
  document?: DocumentRunRequest['document'];
  workflow?: string;
  /** the stored run request (inputs hold secrets by reference only) */
  request?: DocumentRunRequest;
  pinned: boolean;
  paused: boolean;
  note?: string;
  overlap: string;
  catchupWindowMs: number;
  /** the next (up to) 5 firing times */
  nextRuns: Date[];
  recentActions: ScheduleAction[];
  running: string[];
  actionsTaken: number;
  skippedOverlap: number;
  missedCatchupWindow: number;
}

/** The spec words recorded on the schedule: the action's memo (kept by updates), else the schedule's memo. */
export function writtenSpec(desc: ScheduleDescription): string {
  const fromAction = (desc.action as { memo?: Record<string, unknown> }).memo?.arazzoSpec;
  const fromSchedule = desc.memo?.arazzoSpec;
  if (typeof fromAction === 'string') return fromAction;
  if (typeof fromSchedule === 'string') return fromSchedule;
  const intervals = desc.spec.intervals?.map((i) => `every ${i.every}ms`) ?? [];
  return intervals.length ? intervals.join(', ') : `${desc.spec.calendars?.length ?? 0} calendar spec(s)`;
}

export function runRequestOf(desc: ScheduleDescription): DocumentRunRequest | undefined {
  const args = (desc.action as { args?: unknown[] }).args;
  const first = args?.[0];
  return first && typeof first === 'object' && 'document' in first ? (first as DocumentRunRequest) : undefined;
}

async function statusOf(client: Client, workflowId: string, runId: string): Promise<string> {
  try {
    return (await client.workflow.getHandle(workflowId, runId).describe()).status.name;
  } catch {
    return 'UNKNOWN';
  }
}

export async function describeSchedule(client: Client, scheduleId: string): Promise<ScheduleView> {
  const desc = await client.schedule.getHandle(scheduleId).describe();
  const request = runRequestOf(desc);
  const recentActions = await Promise.all(
    desc.info.recentActions.map(async (a) => ({
      scheduledAt: a.scheduledAt,
      takenAt: a.takenAt,
      workflowId: a.action.workflow.workflowId,
      runId: a.action.workflow.firstExecutionRunId,
      status: await statusOf(client, a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId),
    })),
  );
  return {
    scheduleId,
    spec: writtenSpec(desc),
    document: request?.document,
    workflow: request?.workflow,
    request,
    pinned: !!request?.pin,
    paused: desc.state.paused,
    note: desc.state.note || undefined,
    overlap: overlapWord(desc.policies.overlap),
    catchupWindowMs: desc.policies.catchupWindow,
    nextRuns: desc.info.nextActionTimes.slice(0, 5),
    recentActions,
    running: desc.info.runningActions.map((a) => a.workflow.workflowId),
    actionsTaken: desc.info.numActionsTaken,
    skippedOverlap: desc.info.numActionsSkippedOverlap,
    missedCatchupWindow: desc.info.numActionsMissedCatchupWindow,
  };
}

/** The description for people, one fact a line. */
export function formatSchedule(v: ScheduleView): string {
  const doc = typeof v.document === 'string' ? v.document : v.document ? `inline ${v.document.name ?? 'document'}` : '?';
  const lines = [
    `schedule ${v.scheduleId}${v.paused ? ' (paused)' : ''}`,
    `  spec: ${v.spec}`,
    `  document: ${doc}${v.workflow ? ` (workflow ${v.workflow})` : ''}${v.pinned ? ', pinned' : ''}`,
    `  overlap: ${v.overlap}, catch-up window: ${v.catchupWindowMs / 1000}s`,
    ...(v.note ? [`  note: ${v.note}`] : []),
    `  actions: ${v.actionsTaken} taken, ${v.skippedOverlap} skipped (overlap), ${v.missedCatchupWindow} missed (catch-up window)`,
    `  running: ${v.running.length ? v.running.join(', ') : 'none'}`,
    `  next runs:${v.nextRuns.length ? '' : ' none'}`,
    ...v.nextRuns.map((d) => `    ${d.toISOString()}`),
    `  recent actions:${v.recentActions.length ? '' : ' none'}`,
    ...v.recentActions.map((a) => `    ${a.takenAt.toISOString()}  ${a.workflowId}  ${a.status}`),
  ];
  return lines.join('\n') + '\n';
}

export interface ScheduleSummary {
  scheduleId: string;
  summary: string;
  next?: Date;
  paused?: boolean;
}

export async function listSchedules(client: Client): Promise<ScheduleSummary[]> {
  const out: ScheduleSummary[] = [];
  for await (const s of client.schedule.list()) {
    const desc = await client.schedule
      .getHandle(s.scheduleId)
      .describe()
      .catch(() => undefined);
    const written = s.memo?.arazzoSpec;
    const summary = desc ? writtenSpec(desc) : typeof written === 'string' ? written : '';
    out.push({ scheduleId: s.scheduleId, summary, next: s.info?.nextActionTimes?.[0], paused: desc?.state.paused });
  }
  return out;
}
