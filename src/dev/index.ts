// `arazzo-temporal dev` (npm start): the Temporal dev server with its Web UI and a SQLite file, the
// provider simulator and a worker in one process; optionally runs the five seeds and prints their outputs and statuses.
import { randomBytes } from 'node:crypto';
import { ArazzoClient, failureMessage } from '../client';
import { startDevCodec } from './codec';
import { startSimulator, startWebhookDelivery, type Simulator } from '../simulator';
import { startDevEvents, type DevEvents } from './events';
import { stopOnSignals } from '../temporal/children';
import { installRuntime, startWorker, type RuntimeOptions } from '../worker';
import { rootsFromEnv } from '../load/document-roots';
import { PROJECT_ROOT, startDevServer, type DevServer } from '../temporal/dev-server';
import { activeTracing } from '../tracing';
import { runSeeds, statusTable, type SeedResult } from './seeds';

export interface DevOptions {
  port: number;
  uiPort?: number;
  simulatorPort: number;
  dbFile: string;
  runSeeds: boolean;
  exit: boolean;
  timing: 'fast' | 'demo';
  /** where run requests may name documents (default: ARAZZO_DOCUMENTS, else the project directory) */
  documents?: string[];
  /** codec server port (0 picks a free one; default 8081) */
  codecPort?: number;
  /** Prometheus metrics and log format of the worker (src/worker.ts installRuntime) */
  runtime?: RuntimeOptions;
}

/** Long strings (JSONL results) shortened for the console. */
function preview(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) =>
      typeof v === 'string' && v.length > 400
        ? `${v.slice(0, 400)}… (${v.length} characters, ${v.split('\n').filter(Boolean).length} lines)`
        : v,
    2,
  );
}

const runLink = (uiUrl: string | undefined, workflowId: string) =>
  uiUrl ? `  ${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}` : '';

/** A seed run started: the command that shows its live status (batch progress, next poll) and its page in the Web UI. */
function started(name: string, workflowId: string, server: { address: string; uiUrl?: string }): void {
  const address = server.address === '127.0.0.1:7233' ? '' : ` --address ${server.address}`;
  process.stdout.write(`▶ ${name}: npx arazzo-temporal status ${workflowId}${address}
${runLink(server.uiUrl, workflowId)}
`);
}

function report(r: SeedResult, uiUrl?: string): void {
  const link = runLink(uiUrl, r.workflowId);
  if (r.result)
    process.stdout.write(
      `\n✔ ${r.name} (${r.workflowId}): ${r.result.stepRuns} step runs, ${r.result.polls} polls\n${link}\n${preview(r.result.outputs)}\n`,
    );
  else process.stdout.write(`\n✘ ${r.name} (${r.workflowId}): ${failureMessage(r.error)}\n${link}\n`);
  for (const note of r.result?.notes ?? []) process.stdout.write(`  note: ${note}\n`);
}

const whyStopped = (done: Promise<void>) =>
  done.then(
    () => 'the worker stopped',
    (err) => `the worker failed: ${(err as Error)?.message ?? String(err)}`,
  );

/** The simulator delivers its webhook events, signed, to the dev receiver; stopping stops both. */
function simulatorWithWebhooks(simulator: Simulator, events: DevEvents): { stop: () => Promise<void> } {
  const delivery = startWebhookDelivery(simulator, { url: `${events.webhooksUrl}/webhooks/openai`, secret: events.secret });
  return { stop: () => delivery.stop().then(() => simulator.close()) };
}

type Part = { stop: () => Promise<void> };

/** The codec server, the Temporal dev server, the event transports, the simulator and the worker, each pushed to `parts` once up. */
async function startParts(opts: DevOptions, parts: Part[]) {
  // payloads encrypted by default: a local key (generated once, under .data/, never printed) and a codec server
  // the Web UI decodes them with
  const uiPort = opts.uiPort ?? opts.port + 1000;
  const codec = await startDevCodec({ port: opts.codecPort ?? 8081, uiPort });
  if (codec.server) parts.push({ stop: () => codec.server!.close() });
  const server = await startDevServer({ port: opts.port, uiPort, dbFile: opts.dbFile, uiCodecEndpoint: codec.server?.url });
  parts.push(server);
  const events = await startDevEvents(server.address);
  parts.push(events);
  const simulator = await startSimulator({ port: opts.simulatorPort, timing: opts.timing });
  parts.push(simulatorWithWebhooks(simulator, events));
  const documentRoots = opts.documents?.length ? opts.documents : rootsFromEnv().length ? rootsFromEnv() : [PROJECT_ROOT];
  // the simulator listens on loopback, which the outbound policy refuses unless allowed
  const worker = await startWorker({ address: server.address, allowHosts: [new URL(simulator.url).hostname], documentRoots });
  parts.push(worker);
  process.stdout.write(
    [
      `Temporal dev server  ${server.address}  (SQLite: ${server.dbFile})`,
      `Temporal Web UI      ${server.uiUrl}`,
      `Payloads             ${codec.description}`,
      `Provider simulator   ${simulator.url}  (OpenAI ${simulator.url}/v1, Anthropic ${simulator.url}/v1/messages/batches, Bifrost ${simulator.url}/bifrost)`,
      `Worker               task queue ${worker.worker.options.taskQueue} (pid ${process.pid}); documents under ${documentRoots.join(', ')}`,
      ...events.lines,
      '',
    ].join('\n'),
  );
  return { server, simulator, worker };
}

/** The seed runs of `npm start`, with their status table; how many did not complete. */
async function runSeedsOnce(opts: DevOptions, server: DevServer, simulator: Simulator): Promise<number> {
  process.stdout.write(
    `Running the five seeds against the simulator, Bifrost in both styles (timing: ${opts.timing}); watch them in the Web UI.\n`,
  );
  // with --otlp-endpoint the seeds' traces begin at their start calls (the worker's tracer provider is this process's)
  const client = await ArazzoClient.connect({ address: server.address, tracing: activeTracing() !== undefined });
  try {
    const results = await runSeeds(
      client,
      simulator.url,
      (r) => report(r, server.uiUrl),
      {},
      (name, id) => started(name, id, server),
    );
    const failed = results.filter((r) => !r.result).length;
    process.stdout.write(
      `\nNormalized status (x-temporal-status):\n${statusTable(results)}\n${results.length - failed} of ${results.length} seed runs completed.\n`,
    );
    return failed;
  } finally {
    await client.close();
  }
}

export async function runDev(opts: DevOptions): Promise<void> {
  installRuntime(opts.runtime?.logFormat === 'json' ? 'INFO' : 'WARN', opts.runtime);
  // Demo keys for the simulator, unless real ones are set (they would only reach the local simulator).
  process.env.OPENAI_API_KEY ||= `sk-sim-${randomBytes(12).toString('hex')}`;
  process.env.ANTHROPIC_API_KEY ||= `sk-ant-sim-${randomBytes(12).toString('hex')}`;

  // Whatever happens from here on (Ctrl-C, SIGTERM, a crash), the server, simulator and worker are stopped.
  const parts: Part[] = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const part of parts.splice(0).reverse()) await part.stop().catch(() => undefined);
  };
  stopOnSignals({ stop: stopAll });
  const { server, simulator, worker } = await startParts(opts, parts);
  // a worker that stops on its own (it should not) takes the dev stack down with it, loudly
  const workerDown = whyStopped(worker.done);
  const failed = opts.runSeeds ? await runSeedsOnce(opts, server, simulator) : 0;
  if (opts.exit) {
    await stopAll();
    if (failed) process.exitCode = 1;
    return;
  }
  process.stdout.write(`\nServing until Ctrl-C. Web UI: ${server.uiUrl}\n`);
  // serve until a signal (stopOnSignals stops everything and exits) or until the worker stops on its own
  const why = await workerDown;
  if (stopping) return;
  process.stderr.write(`${why}; stopping the dev server\n`);
  await stopAll();
  process.exitCode = 1;
}
