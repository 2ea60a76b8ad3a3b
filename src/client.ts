// The client library: prepare a document (document → plan), start it as a Temporal workflow, wait for
// it, cancel it, schedule it. The CLI (src/cli.ts) is a thin layer over this.
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { saveBlob } from './activities/blob-store';
import { isBlobRef } from './core/types';
import { temporalSettings, WORKFLOW_TYPE, type TemporalSettings } from './config';
import { checkInputs, prepareDocument, type PrepareOptions, type Prepared } from './load/prepare';
import type { Plan } from './core/types';
import type { Duration } from '@temporalio/common';
import type { ArazzoRunInput, ArazzoRunResult, RunOptions, arazzoWorkflow } from './workflows/arazzo-workflow';

export type { ArazzoRunResult, RunOptions, Plan, Prepared };
export { DocumentError, formatDiagnostic } from './core/diagnostics';

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

function staticDetails(plan: Plan): string {
  const steps = plan.steps.map((s, i) => `${i + 1}. \`${s.stepId}\` — ${s.operation.method} ${s.operation.path}`).join('\n');
  const warnings = plan.warnings.length ? `\n\n**Warnings**\n${plan.warnings.map((w) => `- ${w.message}`).join('\n')}` : '';
  return `**${plan.document.title}** (${plan.document.file}), workflow \`${plan.workflowId}\`\n\n${steps}${warnings}`.slice(0, 20_000);
}

export class ArazzoClient {
  private constructor(
    readonly client: Client,
    readonly settings: TemporalSettings,
    private readonly connection?: Connection,
  ) {}

  static async connect(overrides: Partial<TemporalSettings> = {}): Promise<ArazzoClient> {
    const settings = temporalSettings(overrides);
    const connection = await Connection.connect({ address: settings.address });
    return new ArazzoClient(new Client({ connection, namespace: settings.namespace }), settings, connection);
  }

  static fromClient(client: Client, overrides: Partial<TemporalSettings> = {}): ArazzoClient {
    return new ArazzoClient(client, temporalSettings({ namespace: client.options.namespace, ...overrides }));
  }

  /** Load, compile and check a document and its inputs; throws DocumentError before anything starts. */
  async prepare(req: RunRequest): Promise<Prepared> {
    const prepared = await prepareDocument(req.document, req);
    prepared.inputs = checkInputs(prepared.plan, req.inputs ?? {}, prepared.locate);
    return prepared;
  }

  /** The workflow input and options for a prepared run; shared by start() and schedules. */
  private action(prepared: Prepared, req: RunRequest) {
    const { plan } = prepared;
    const separate = this.settings.activityTaskQueue !== this.settings.taskQueue;
    const options = separate ? { ...req.options, activityTaskQueue: this.settings.activityTaskQueue } : req.options;
    const input: ArazzoRunInput = { plan, inputs: prepared.inputs ?? req.inputs ?? {}, options };
    return {
      args: [input] as [ArazzoRunInput],
      taskQueue: this.settings.taskQueue,
      staticSummary: `${plan.document.title || basename(plan.document.file)} · ${plan.workflowId}`.slice(0, 200),
      staticDetails: staticDetails(plan),
      memo: { arazzoDocument: plan.document.file, arazzoWorkflowId: plan.workflowId },
    };
  }

  async start(req: RunRequest): Promise<Started> {
    const prepared = await this.prepare(req);
    const workflowId = req.id ?? readableWorkflowId(prepared.plan);
    const handle = await this.client.workflow.start<typeof arazzoWorkflow>(WORKFLOW_TYPE, { workflowId, ...this.action(prepared, req) });
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

  /** Start the document on a Temporal Schedule: a cron expression or an interval like 1h. */
  async createSchedule(scheduleId: string, req: RunRequest, spec: { cron?: string; every?: string }): Promise<void> {
    const prepared = await this.prepare(req);
    const action = this.action(prepared, req);
    await this.client.schedule.create({
      scheduleId,
      spec: spec.cron ? { cronExpressions: [spec.cron] } : { intervals: [{ every: spec.every as Duration }] },
      action: { type: 'startWorkflow', workflowType: WORKFLOW_TYPE, workflowId: `${scheduleId}-${prepared.plan.workflowId}`, ...action },
      policies: { catchupWindow: '1m' },
      // the server turns cron strings into calendar specs; keep the words the user wrote for `schedule list`
      memo: { arazzoSpec: spec.cron ?? `every ${spec.every}` },
    });
  }

  async listSchedules(): Promise<{ scheduleId: string; summary: string; next?: Date }[]> {
    const out: { scheduleId: string; summary: string; next?: Date }[] = [];
    for await (const s of this.client.schedule.list()) {
      const spec = s.spec as { cronExpressions?: string[]; intervals?: { every: unknown }[] } | undefined;
      const written = s.memo?.arazzoSpec;
      const when = typeof written === 'string' ? written : (spec?.cronExpressions?.join(' ') ?? spec?.intervals?.map((i) => `every ${JSON.stringify(i.every)}`).join(', ') ?? '');
      out.push({ scheduleId: s.scheduleId, summary: when, next: s.info?.nextActionTimes?.[0] });
    }
    return out;
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

const EXTENSIONS: Record<string, string> = { 'application/json': '.json', 'application/x-jsonl': '.jsonl', 'application/jsonl': '.jsonl', 'text/plain': '.txt', 'application/octet-stream': '.bin' };

/** Write every output that is a blob reference to `<dir>/<output name><ext>`; returns name → path. */
export async function saveBlobOutputs(outputs: Record<string, unknown>, dir: string): Promise<Record<string, string>> {
  const saved: Record<string, string> = {};
  for (const [name, value] of Object.entries(outputs)) {
    if (!isBlobRef(value)) continue;
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${name}${EXTENSIONS[value.contentType ?? ''] ?? '.bin'}`);
    await saveBlob(value, path);
    saved[name] = path;
  }
  return saved;
}
