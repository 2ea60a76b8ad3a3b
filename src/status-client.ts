// The client side of a run's live status: whether runs may set the search attributes (a warning where the namespace
// lacks them), read a run's status (the workflow's `status` query made live with the pending poll's
// heartbeat details, which only describe() shows while an activity polls for hours), and list runs by the search
// attributes.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { maskSecrets } from './core/mask';
import {
  combineStatus,
  withPollReport,
  type LiveStatus,
  type PendingStep,
  type PollHeartbeat,
  type RunStatusRecord,
} from './core/run-status';
import { POLL_PENDING } from './core/contract';
import {
  documentName,
  listQuery,
  SEARCH_ATTRIBUTE_NAMES,
  unsetRunMatches,
  SEARCH_ATTRIBUTES,
  type ListFilter,
} from './core/search-attributes';
import { WORKFLOW_TYPE } from './config';
import type { arazzoWorkflow } from './workflows/arazzo-workflow';
import { statusQuery } from './workflows/queries';

type Handle = WorkflowHandle<typeof arazzoWorkflow>;
const lacking = new Set<string>();
const checked = new Set<string>();

/**
 * Whether the namespace has the search attributes, asked once per namespace before the first start: a server that
 * cannot say (the time-skipping test server has no operator service) counts as lacking them.
 */
async function registered(client: Client, ns: string): Promise<boolean> {
  if (checked.has(ns)) return true;
  try {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: ns });
    const names = Object.keys(customAttributes ?? {});
    if (!SEARCH_ATTRIBUTE_NAMES.every((n) => names.includes(n))) return false;
    checked.add(ns);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether runs started now may set the search attributes (src/core/history-revision.ts, revision 3: the run upserts
 * them from its first workflow task; the start carries none). A namespace that lacks them gets runs that set none,
 * after one warning per namespace and process: an upsert of an unregistered attribute would fail every workflow task.
 */
export async function searchAttributesRegistered(
  client: Client,
  warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
): Promise<boolean> {
  const ns = client.options.namespace;
  if (lacking.has(ns)) return false;
  if (await registered(client, ns)) return true;
  lacking.add(ns);
  warn(
    `namespace ${ns} has not registered the search attributes ${SEARCH_ATTRIBUTE_NAMES.join(', ')}; runs start without them, ` +
      'so `list` and Web UI queries cannot find them by document, workflow or batch status (see the README: temporal operator search-attribute create)',
  );
  return false;
}

const tsIso = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  ts?.seconds != null ? new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString() : undefined;

/** The pending step activity of a describe(), its heartbeat details decoded (they pass the payload codec). */
async function pendingStep(client: Client, raw: Awaited<ReturnType<Handle['describe']>>['raw']): Promise<PendingStep | undefined> {
  const a = raw.pendingActivities?.find((p) => p.activityType?.name === 'runStep');
  if (!a) return undefined;
  const decoded = async (payloads: Parameters<typeof decodeArrayFromPayloads>[1]): Promise<PollHeartbeat | undefined> => {
    try {
      const [details] = await decodeArrayFromPayloads(client.options.loadedDataConverter, payloads);
      return details && typeof details === 'object' ? (details as PollHeartbeat) : undefined;
    } catch {
      return undefined; // a payload this process cannot decode: the record stays as the workflow has it
    }
  };
  const failure = a.lastFailure?.applicationFailureInfo;
  // the latest poll's report rides on its ArazzoPollPending failure (src/activities/heartbeat.ts)
  const reported = failure?.type === POLL_PENDING ? await decoded(failure.details?.payloads) : undefined;
  const heartbeat = withPollReport(await decoded(a.heartbeatDetails?.payloads), reported);
  return {
    attempt: a.attempt ?? 1,
    ...(heartbeat && { heartbeat }),
    ...(a.lastFailure?.message && { lastFailure: a.lastFailure.message }),
    ...(a.lastFailure?.applicationFailureInfo?.type && { lastFailureType: a.lastFailure.applicationFailureInfo.type }),
    ...(tsIso(a.nextAttemptScheduleTime) && { nextAttemptAt: tsIso(a.nextAttemptScheduleTime) }),
  };
}

/** The record of a run whose workflow does not answer the query (no worker for a closed run): from its result and memo. */
async function recordWithoutQuery(handle: Handle, memo: Record<string, unknown> | undefined): Promise<RunStatusRecord> {
  const r = await handle.result().catch(() => undefined);
  return {
    workflow: String(memo?.arazzoWorkflowId ?? '?'),
    document: documentName(String(memo?.arazzoDocument ?? '?')),
    stepIndex: r ? r.trace.length : 0,
    steps: r ? r.trace.length : 0,
    stepRuns: r?.stepRuns ?? 0,
    polls: r?.polls ?? 0,
    ...(r?.batchStatus && { batchStatus: r.batchStatus }),
    ...(r?.requestCounts && { requestCounts: r.requestCounts }),
  };
}

/** A run's live status: the `status` query, the pending poll's heartbeat, the execution's status. */
export async function runStatus(client: Client, workflowId: string, queryTimeoutMs = 10_000): Promise<LiveStatus> {
  const handle = client.workflow.getHandle<typeof arazzoWorkflow>(workflowId);
  const d = await handle.describe();
  const execution = d.status.name;
  let record: RunStatusRecord;
  try {
    record = await client.connection.withDeadline(Date.now() + queryTimeoutMs, () => handle.query(statusQuery));
  } catch (err) {
    if (execution === 'RUNNING') throw err;
    record = await recordWithoutQuery(handle, d.memo);
  }
  return combineStatus(workflowId, execution, record, await pendingStep(client, d.raw), maskSecrets);
}

export interface ListedRun {
  workflowId: string;
  status: string;
  document?: string;
  workflow?: string;
  step?: string;
  batchStatus?: string;
  startTime: string;
  closeTime?: string;
}

/** Runs of this project's workflow type matching the filter, newest first (at most `limit`). */
export async function listRuns(client: Client, filter: ListFilter, limit = 100): Promise<ListedRun[]> {
  const out: ListedRun[] = [];
  for await (const w of client.workflow.list({ query: listQuery(filter, WORKFLOW_TYPE) })) {
    const sa = w.typedSearchAttributes;
    const workflow = sa.get(SEARCH_ATTRIBUTES.workflow);
    // not taken by a worker yet (no search attributes): its memo says which document and workflow it runs
    if (workflow === undefined && !unsetRunMatches(filter, w.memo)) continue;
    const memo = (key: string) => (typeof w.memo?.[key] === 'string' ? (w.memo[key] as string) : undefined);
    const doc = sa.get(SEARCH_ATTRIBUTES.document) ?? memo('arazzoDocument');
    out.push({
      workflowId: w.workflowId,
      status: w.status.name,
      document: doc === undefined ? undefined : documentName(doc),
      workflow: workflow ?? memo('arazzoWorkflowId'),
      step: sa.get(SEARCH_ATTRIBUTES.step),
      batchStatus: sa.get(SEARCH_ATTRIBUTES.batchStatus),
      startTime: w.startTime.toISOString(),
      ...(w.closeTime && { closeTime: w.closeTime.toISOString() }),
    });
    if (out.length >= limit) break;
  }
  return out;
}
