// The client library: prepare a document (document → plan), start it as a Temporal workflow, wait for
// it, cancel it, schedule it. The CLI (src/cli.ts) is a thin layer over this.
import {
  Client,
  Connection,
  WorkflowFailedError,
  type ConnectionOptions,
  type WorkflowClientInterceptor,
  type WorkflowHandle,
} from '@temporalio/client';
import { connecting, resolveConnection, type ConnectionOverrides } from './connection';
import { basename } from 'node:path';
import type { DocumentRunRequest } from './core/run-request';
import { dataConverter } from './codec';
import { temporalSettings, WORKFLOW_TYPE, type TemporalSettings } from './config';
import { checkInputs, prepareDocument, type PrepareOptions, type Prepared } from './load/prepare';
import { preparePlan } from './load/plan-cache';
import type { Diagnostic, Plan } from './core/types';
import { DocumentError } from './core/diagnostics';
import { stepTarget } from './core/plan';
import { runMemo } from './core/history-revision';
import * as sched from './schedules';
import type { Overlap, SchedulePolicies, ScheduleTimes, ScheduleView } from './schedules';
import type { ArazzoRunInput, ArazzoRunResult, RunOptions, arazzoWorkflow } from './workflows/arazzo-workflow';
import { resolveUpdate, type ResolveRequest, type ResolveResult } from './workflows/resolve';
import { searchAttributesRegistered } from './status-client';
import { runRequestFor } from './run-request-for';

export { runRequestFor } from './run-request-for';
export { saveBlobOutputs } from './blob-outputs';

export type { ArazzoRunResult, RunOptions, Plan, Prepared, DocumentRunRequest, Overlap, SchedulePolicies, ScheduleTimes, ScheduleView };
export { DocumentError, formatDiagnostic } from './core/diagnostics';
export type { Diagnostic } from './core/types';
export type { PrepareOptions };
/** document → plan (read, validate, compile the chosen workflow); throws DocumentError with file:line findings */
export { prepareDocument as compile, checkInputs };

/** Check a document without starting anything: valid, with its warnings, or not, with its errors (file:line:column). */
export async function validate(
  document: string,
  options: PrepareOptions = {},
): Promise<{ valid: boolean; diagnostics: Diagnostic[]; plan?: Plan }> {
  try {
    const prepared = await prepareDocument(document, options);
    return { valid: true, diagnostics: prepared.diagnostics, plan: prepared.plan };
  } catch (err) {
    if (err instanceof DocumentError) return { valid: false, diagnostics: err.diagnostics };
    throw err;
  }
}

export interface RunRequest extends PrepareOptions {
  /** path or URL of the Arazzo document */
  document: string;
  /** run inputs; secrets as {"$secret": "ENV_VAR"} */
  inputs?: Record<string, unknown>;
  /** engine options of this run */
  options?: RunOptions;
  /** Temporal workflow id; default: <arazzo workflowId>-<UTC timestamp>-<random> */
  id?: string;
}

export interface Started {
  handle: WorkflowHandle<typeof arazzoWorkflow>;
  workflowId: string;
  plan: Plan;
  prepared: Prepared;
}

/** A readable, unique workflow id: batch-job-20261121-234501-k3f9 */
export function readableWorkflowId(plan: Plan, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${plan.workflowId}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

function staticDetails({ plan, warnings: found }: Prepared): string {
  const steps = plan.steps.map((s, i) => `${i + 1}. \`${s.stepId}\` — ${stepTarget(s)}`).join('\n');
  const warnings = found.length ? `\n\n**Warnings**\n${found.map((w) => `- ${w.message}`).join('\n')}` : '';
  return `**${plan.document.title}** (${plan.document.file}), workflow \`${plan.workflowId}\`\n\n${steps}${warnings}`.slice(0, 20_000);
}

/** loaded only for a tracing client */
function tracingClientInterceptor(): WorkflowClientInterceptor {
  const { OpenTelemetryWorkflowClientInterceptor } =
    require('@temporalio/interceptors-opentelemetry/lib/client') as typeof import('@temporalio/interceptors-opentelemetry/lib/client');
  return new OpenTelemetryWorkflowClientInterceptor();
}

export class ArazzoClient {
  private constructor(
    readonly client: Client,
    readonly settings: TemporalSettings,
    private readonly connection?: Connection,
  ) {}

  /**
   * Connect with the Temporal profile, TEMPORAL_* variables and these overrides, in that order (src/connection.ts).
   * `tracing`: Temporal's OpenTelemetry client interceptor, so a run's trace starts at its start call and carries on
   * in a tracing worker (it uses the tracer provider the application registered).
   */
  static async connect(overrides: Partial<TemporalSettings> & ConnectionOverrides & { tracing?: boolean } = {}): Promise<ArazzoClient> {
    const conn = resolveConnection(overrides);
    const settings = temporalSettings({ ...overrides, address: conn.address, namespace: conn.namespace });
    const connection = await connecting(conn, () => Connection.connect(conn.options as ConnectionOptions));
    const interceptors = overrides.tracing ? { workflow: [tracingClientInterceptor()] } : undefined;
    // payloads encrypted with the configured codec keys (src/codec), the same config the worker reads
    const client = new Client({ connection, namespace: settings.namespace, dataConverter: dataConverter(), interceptors });
    return new ArazzoClient(client, settings, connection);
  }

  static fromClient(client: Client, overrides: Partial<TemporalSettings> = {}): ArazzoClient {
    return new ArazzoClient(client, temporalSettings({ namespace: client.options.namespace, ...overrides }));
  }

  /**
   * Load, compile and check a document and its inputs; throws DocumentError before anything starts. The compile is
   * cached per document, overlays and options (src/load/plan-cache.ts): only the inputs are checked again.
   */
  async prepare(req: RunRequest): Promise<Prepared> {
    const prepared = await preparePlan(req.document, req);
    prepared.inputs = checkInputs(prepared.plan, req.inputs ?? {}, prepared.locate, prepared.workflowPath);
    return prepared;
  }

  /** A prepared run's workflow input and options (start() and schedules); `searchAttributes`: the run upserts them. */
  private action(prepared: Prepared, req: RunRequest, searchAttributes: boolean) {
    const { plan } = prepared;
    const separate = this.settings.activityTaskQueue !== this.settings.taskQueue;
    const options = separate ? { ...req.options, activityTaskQueue: this.settings.activityTaskQueue } : req.options;
    const input: ArazzoRunInput = { plan, inputs: prepared.inputs ?? req.inputs ?? {}, options };
    return {
      args: [input] as [ArazzoRunInput],
      taskQueue: this.settings.taskQueue,
      staticSummary: `${plan.document.title || basename(plan.document.file)} · ${plan.workflowId}`.slice(0, 200),
      staticDetails: staticDetails(prepared),
      // the history revision (src/core/history-revision.ts): no patch markers; the run upserts its search attributes
      memo: runMemo(plan.document.file, plan.workflowId, searchAttributes),
    };
  }

  async start(req: RunRequest): Promise<Started> {
    const prepared = await this.prepare(req);
    const workflowId = req.id ?? readableWorkflowId(prepared.plan);
    // the run sets ArazzoDocument, ArazzoWorkflow and ArazzoStep in its first workflow task where the namespace has them
    const search = await searchAttributesRegistered(this.client);
    const handle = await this.client.workflow.start<typeof arazzoWorkflow>(WORKFLOW_TYPE, {
      workflowId,
      ...this.action(prepared, req, search),
    });
    return { handle, workflowId, plan: prepared.plan, prepared };
  }

  async run(req: RunRequest): Promise<ArazzoRunResult> {
    const { handle } = await this.start(req);
    return handle.result();
  }

  handle(workflowId: string): WorkflowHandle<typeof arazzoWorkflow> {
    return this.client.workflow.getHandle<typeof arazzoWorkflow>(workflowId);
  }

  result(workflowId: string): Promise<ArazzoRunResult> {
    return this.handle(workflowId).result();
  }

  async cancel(workflowId: string): Promise<void> {
    await this.handle(workflowId).cancel();
  }

  /**
   * Resolve a create step stopped with "outcome unknown" (a Temporal Update on the running workflow): `useId` is the
   * id of what the request created (the step is judged on a 200 with body {id}), `resend` sends it again. The run
   * continues from that step. Rejected when that step is not waiting.
   */
  async resolve(workflowId: string, req: ResolveRequest): Promise<ResolveResult> {
    try {
      return await this.handle(workflowId).executeUpdate(resolveUpdate, { args: [req] });
    } catch (err) {
      // the validator's reason is the cause of WorkflowUpdateFailedError
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      throw cause ? new Error(`resolve ${workflowId}: ${cause}`, { cause: err }) : err;
    }
  }

  /**
   * Start the document on a Temporal Schedule: a cron expression or an interval like 1h. The document is checked
   * now, but the schedule stores a run request naming it (its absolute path, or its URL), not a plan: each firing
   * prepares the document as it is then, on the worker, which must have it under a document root. `pin` stores
   * the document's sha256 too: a firing of a changed document fails, saying what changed. Policies: what a firing
   * does while the previous run is still open (overlap, default skip), the catch-up window, paused with a note.
   */
  async createSchedule(
    scheduleId: string,
    req: RunRequest,
    times: ScheduleTimes,
    opts: SchedulePolicies & { pin?: boolean } = {},
  ): Promise<DocumentRunRequest> {
    const { request, action } = await this.scheduleAction(scheduleId, req, sched.specWords(times), opts.pin);
    await this.client.schedule.create({
      scheduleId,
      spec: sched.scheduleSpec(times),
      action,
      policies: sched.policies(opts),
      state: { paused: !!opts.paused, note: opts.note },
      // the server turns cron strings into calendar specs; keep the words the user wrote for `schedule list`
      memo: { arazzoSpec: sched.specWords(times) },
    });
    return request;
  }

  private async scheduleAction(scheduleId: string, req: RunRequest, words: string, pin?: boolean) {
    const prepared = await this.prepare(req);
    const { args, memo, ...action } = this.action(prepared, req, await searchAttributesRegistered(this.client));
    const request = await runRequestFor(req, args[0].options, pin);
    const workflowId = `${scheduleId}-${prepared.plan.workflowId}`;
    // the spec's words ride on the action's memo too: an update can change those, not the schedule's memo
    return {
      request,
      action: {
        type: 'startWorkflow' as const,
        workflowType: WORKFLOW_TYPE,
        workflowId,
        ...action,
        memo: { ...memo, arazzoSpec: words },
        args: [request],
      },
    };
  }

  /** Change a schedule's document or inputs (a new run request, checked now), its spec, or its policies. */
  async updateSchedule(
    scheduleId: string,
    change: { request?: RunRequest; pin?: boolean; times?: ScheduleTimes; policies?: Omit<SchedulePolicies, 'paused' | 'note'> },
  ): Promise<void> {
    const handle = this.client.schedule.getHandle(scheduleId);
    const previous = await handle.describe();
    const pin = change.pin ?? !!sched.runRequestOf(previous)?.pin;
    const words = change.times ? sched.specWords(change.times) : sched.writtenSpec(previous);
    const next = change.request && (await this.scheduleAction(scheduleId, change.request, words, pin)).action;
    const action = next ?? { ...previous.action, memo: { ...(previous.action as { memo?: object }).memo, arazzoSpec: words } };
    await handle.update(
      (prev) =>
        ({
          ...prev,
          spec: change.times ? sched.scheduleSpec(change.times) : prev.spec,
          action,
          policies: { ...prev.policies, ...sched.changedPolicies(change.policies ?? {}) },
        }) as never,
    );
  }

  /** Next run times, recent firings with the status of their runs, counts of skipped and missed firings. */
  describeSchedule(scheduleId: string): Promise<ScheduleView> {
    return sched.describeSchedule(this.client, scheduleId);
  }

  async pauseSchedule(scheduleId: string, note?: string): Promise<void> {
    await this.client.schedule.getHandle(scheduleId).pause(note);
  }

  async unpauseSchedule(scheduleId: string, note?: string): Promise<void> {
    await this.client.schedule.getHandle(scheduleId).unpause(note);
  }

  /** Fire now; `overlap` overrides the schedule's policy for this firing. */
  /** Fire now; without `overlap`, under the schedule's own overlap policy (the SDK's default would be allow-all). */
  async triggerSchedule(scheduleId: string, overlap?: Overlap): Promise<void> {
    const handle = this.client.schedule.getHandle(scheduleId);
    await handle.trigger(sched.overlapPolicy(overlap) ?? (await handle.describe()).policies.overlap);
  }

  /** Take the firings the spec gives between `from` and `to` now. */
  async backfillSchedule(scheduleId: string, from: Date, to: Date, overlap?: Overlap): Promise<void> {
    await this.client.schedule.getHandle(scheduleId).backfill({ start: from, end: to, overlap: sched.overlapPolicy(overlap) });
  }

  /** Every schedule: id, spec as written, next run, paused. */
  listSchedules(): Promise<sched.ScheduleSummary[]> {
    return sched.listSchedules(this.client);
  }

  async deleteSchedule(scheduleId: string): Promise<void> {
    await this.client.schedule.getHandle(scheduleId).delete();
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }
}

/** The innermost message of a failed run, for people: "step pollBatch: the response matched none…" */
export function failureMessage(err: unknown): string {
  let e: any = err;
  if (err instanceof WorkflowFailedError) e = err.cause ?? err;
  while (e?.cause && !(e.type && String(e.type).startsWith('Arazzo'))) e = e.cause;
  return e?.message ?? String(err);
}
