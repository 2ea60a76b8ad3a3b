// The worker: hosts the interpreter workflow and the step activities on one task queue.
// Run it with `arazzo-temporal worker` (or `tsx src/worker.ts`); it connects to TEMPORAL_ADDRESS /
// TEMPORAL_NAMESPACE (defaults localhost:7233 / default).
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import { workerBundleOption } from './bundle';
import * as activities from './activities';
import { maskingLogger } from './activities/secrets';
import { dataConverter } from './codec';
import { temporalSettings, type TemporalSettings } from './config';
import { connecting, resolveConnection, type ConnectionOverrides } from './connection';
import { stopOnSignals } from './temporal/children';
import { configureOutbound } from './activities/outbound-policy';
import { setDocumentRoots } from './activities/prepare-run';
import { closeBrokers } from './activities/mqtt-bridge';
import { workerTuning } from './worker-tuning';
import { activeTracing, enableTracing, workerTracingOptions, type TracingOptions } from './tracing';

// the workflow code: prebuilt by `npm run build`, or bundled at start (src/bundle.ts)
export { WORKFLOWS_PATH, workflowBundle } from './bundle';
/** the step activities, for a worker hosted by the caller (Worker.create({ activities, workflowsPath: WORKFLOWS_PATH, … })) */
export { activities };

/**
 * Preparing a run request (read, validate, compile a document) runs on the workflow task queue, next to the
 * interpreter, whatever the roles: it is light, and a run request names no activity queue.
 */
const workflowSideActivities = { prepareRun: activities.prepareRun, selectXPath: activities.selectXPath };

export type WorkerRole = 'all' | 'workflows' | 'activities';

export interface WorkerHandle {
  /** the workflow worker, or the activity worker when the role is `activities` */
  worker: Worker;
  connection: NativeConnection;
  /** resolves when the worker has stopped */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Start a worker. Role `all` (default) runs the interpreter workflows and the HTTP activities; `workflows`
 * and `activities` split them, so HTTP workers (which stream large downloads) scale and size apart from
 * workflow workers (which hold the workflow cache and the bundled code). Activities listen on
 * `activityTaskQueue`, which defaults to the workflow task queue.
 */
export async function startWorker(
  overrides: Partial<TemporalSettings> &
    ConnectionOverrides & {
      connection?: NativeConnection;
      role?: WorkerRole;
      allowHosts?: string[];
      /** where run requests may name documents (default ARAZZO_DOCUMENTS); process-wide */
      documentRoots?: string[];
      /** trace to an OTLP/HTTP endpoint (process-wide; also installRuntime's otlpEndpoint); default off */
      tracing?: TracingOptions;
    } = {},
): Promise<WorkerHandle> {
  const conn = resolveConnection(overrides);
  const settings = temporalSettings({ ...overrides, address: conn.address, namespace: conn.namespace });
  if (overrides.documentRoots) setDocumentRoots(overrides.documentRoots);
  const role = overrides.role ?? 'all';
  // where the HTTP activities may connect besides the plans' servers: these entries and ARAZZO_ALLOW_HOSTS
  if (role !== 'workflows') configureOutbound(overrides.allowHosts);
  const connection = overrides.connection ?? (await connecting(conn, () => NativeConnection.connect(conn.options)));
  // the codec runs here, outside the workflow sandbox: activations are decrypted before they reach the workflow
  const base = { connection, namespace: settings.namespace, dataConverter: dataConverter() };
  const sameQueue = settings.activityTaskQueue === settings.taskQueue;
  // tracing (installRuntime's otlpEndpoint, or overrides.tracing): Temporal's interceptors, the workflow spans' sink
  const tracing = overrides.tracing ? enableTracing(overrides.tracing) : activeTracing();
  const traced = tracing ? workerTracingOptions(tracing) : {};
  const workers: Worker[] = [];
  if (role !== 'activities') {
    workers.push(
      await Worker.create({
        ...base,
        ...workerTuning(),
        ...traced,
        taskQueue: settings.taskQueue,
        workflowBundle: await workerBundleOption(tracing !== undefined),
        activities: role === 'all' && sameQueue ? activities : workflowSideActivities,
      }),
    );
  }
  if (role === 'activities' || (role === 'all' && !sameQueue)) {
    workers.push(await Worker.create({ ...base, ...workerTuning(), ...traced, taskQueue: settings.activityTaskQueue, activities }));
  }
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    worker: workers[0],
    connection,
    done,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done.catch(() => undefined);
      await closeBrokers(); // the MQTT connections of send and receive steps (reopened by the next one)
      await tracing?.flush().catch(() => undefined); // the spans still buffered
      if (!overrides.connection) await connection.close();
    },
  };
}

export interface RuntimeOptions {
  /** serve Prometheus metrics (the SDK's temporal_* metrics) on 127.0.0.1:<port>/metrics */
  metricsPort?: number;
  /** where the metrics endpoint listens (default 127.0.0.1) */
  metricsHost?: string;
  /** text (default) or one JSON object a line: time, level, message, workflowId, step, attempt, … */
  logFormat?: 'text' | 'json';
  /** OpenTelemetry tracing to this OTLP/HTTP endpoint (src/tracing.ts); `{}`: the endpoint of the OTEL_* environment */
  tracing?: TracingOptions;
}

/** A log line as JSON: the SDK's metadata (workflowId, activityType, attempt, …) and the step of the message's label. */
export function jsonLogLine(entry: LogEntry): string {
  const step = /^([\w.-]+) · [A-Z]+ /.exec(entry.message)?.[1];
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = JSON.parse(
    JSON.stringify(entry.meta ?? {}, (_, v) => (v instanceof Error ? { message: v.message } : typeof v === 'bigint' ? String(v) : v)),
  );
  return JSON.stringify({ time, level: entry.level, message: entry.message, ...(step && { step }), ...meta });
}

/** Quieter core logs unless asked for: the worker's own messages are what a person reads. */
export function installRuntime(
  level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = (process.env.ARAZZO_LOG_LEVEL as 'INFO') ?? 'WARN',
  opts: RuntimeOptions = {},
): void {
  const json = opts.logFormat === 'json' ? (e: LogEntry) => process.stdout.write(jsonLogLine(e) + '\n') : undefined;
  const metrics =
    opts.metricsPort === undefined ? undefined : { prometheus: { bindAddress: `${opts.metricsHost ?? '127.0.0.1'}:${opts.metricsPort}` } };
  if (opts.tracing) enableTracing(opts.tracing);
  try {
    // every worker log line (the SDK's own, e.g. "Activity failed", and the activities') is masked of secrets
    Runtime.install({ logger: maskingLogger(new DefaultLogger(level, json)), ...(metrics && { telemetryOptions: { metrics } }) });
  } catch {
    /* already installed */
  }
}

if (require.main === module) {
  installRuntime('INFO');
  startWorker()
    .then(async (handle) => {
      const s = temporalSettings();
      console.log(`worker running on ${s.address}, namespace ${s.namespace}, task queue ${s.taskQueue}`);
      stopOnSignals({ stop: () => handle.stop() });
      await handle.done;
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
