// The long-running processes: worker, simulator, codec-server, dev.
import { Option, type Command } from 'commander';
import type { RuntimeOptions, WorkerRole } from '../../worker';
import { collect, connectionFlags, UsageError, withConnection, withListen, type ConnectionFlags } from '../shared';

type RuntimeFlags = { metricsPort?: string; logFormat?: 'text' | 'json'; otlpEndpoint?: string };

/** --metrics-port, --log-format and --otlp-endpoint, for worker and dev. */
function withRuntimeFlags(cmd: Command): Command {
  return cmd
    .option(
      '--metrics-port <n>',
      "serve the worker's Prometheus metrics (temporal_* task latencies, activity failures, …) on 127.0.0.1:<n>/metrics",
    )
    .addOption(
      new Option('--log-format <format>', 'worker log lines: text, or JSON lines with workflowId, step and attempt')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option(
      '--otlp-endpoint <url>',
      'trace to this OTLP/HTTP endpoint (JSON), e.g. http://127.0.0.1:4318 (/v1/traces is appended; default $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or $OTEL_EXPORTER_OTLP_ENDPOINT, else no tracing): Temporal spans plus one span per HTTP step execution, "arazzo.step <stepId>", with http.request.method, url.template, http.response.status_code, arazzo.step.id, arazzo.step.attempt, arazzo.workflow.id, arazzo.document, temporalWorkflowId; never a header, query, body or full URL; service name $OTEL_SERVICE_NAME or arazzo-temporal-worker',
    );
}

function runtimeOptions(flags: RuntimeFlags): RuntimeOptions {
  const port = flags.metricsPort === undefined ? undefined : Number(flags.metricsPort);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new UsageError(`--metrics-port: "${flags.metricsPort}" is not a port`);
  if (flags.otlpEndpoint !== undefined && !/^https?:\/\/[^/?#\s]+/i.test(flags.otlpEndpoint))
    throw new UsageError(`--otlp-endpoint: "${flags.otlpEndpoint}" is not an http(s) URL`);
  // loaded only here: `validate` and the other commands never load the tracing module
  const { tracingOptions } = require('../../tracing') as typeof import('../../tracing');
  return { metricsPort: port, logFormat: flags.logFormat, tracing: tracingOptions(flags.otlpEndpoint) };
}

export function registerWorker(program: Command): void {
  withRuntimeFlags(withConnection(program.command('worker')))
    .description('run a worker (interpreter workflow + HTTP activities) until Ctrl-C')
    .addOption(
      new Option('--role <role>', 'all: workflows and HTTP activities; workflows or activities: one of them, to scale and size them apart')
        .choices(['all', 'workflows', 'activities'])
        .default('all'),
    )
    .option(
      '--allow-host <host|ip|cidr>',
      "a host the HTTP steps may call besides the servers of the documents' source descriptions (name, *.domain, IP or CIDR; also $ARAZZO_ALLOW_HOSTS, comma-separated); loopback, private and link-local addresses need an entry (repeatable)",
      collect,
      [],
    )
    .option(
      '--documents <dir>',
      'a directory whose files run requests may name as their document (repeatable; default $ARAZZO_DOCUMENTS, separated like PATH; none: only inline documents and https URLs)',
      collect,
      [],
    )
    .action(async (flags: ConnectionFlags & RuntimeFlags & { role: WorkerRole; allowHost: string[]; documents: string[] }) => {
      // loaded by the command that needs them (the worker, the simulator…), so `validate` starts fast
      const [{ installRuntime, startWorker }, { stopOnSignals }] = [
        require('../../worker') as typeof import('../../worker'),
        require('../../temporal/children') as typeof import('../../temporal/children'),
      ];
      installRuntime('INFO', runtimeOptions(flags));
      const documentRoots = flags.documents.length ? flags.documents : undefined;
      const handle = await startWorker({
        ...connectionFlags(flags),
        role: flags.role,
        allowHosts: flags.allowHost,
        documentRoots,
      });
      const queues = `task queue ${handle.worker.options.taskQueue}${flags.role === 'all' && flags.activityTaskQueue ? `, activities on ${flags.activityTaskQueue}` : ''}`;
      process.stdout.write(`worker running (${flags.role}; ${queues})\n`);
      stopOnSignals({ stop: () => handle.stop() });
      await handle.done;
    });
}

export function registerSimulator(program: Command): void {
  withListen(program.command('simulator'), '8089')
    .description(
      'run the provider simulator (OpenAI Files/Batches/Fine-tuning, Anthropic Message Batches, a Bifrost gateway under /bifrost) until Ctrl-C',
    )
    .addOption(new Option('--timing <preset>', 'how fast jobs move through their states').choices(['fast', 'demo']).default('demo'))
    .option('--api-key <key>', 'accepted API key (repeatable; default: any non-empty key)', collect, [])
    .option(
      '--honour-idempotency-key',
      'replay the stored response for a repeated Idempotency-Key (OpenAI and Anthropic document no such behaviour, so by default a repeated create creates again)',
    )
    .action(async (flags: { port: string; host: string; timing: 'fast' | 'demo'; apiKey: string[]; honourIdempotencyKey?: boolean }) => {
      const [{ startSimulator }, { stopOnSignals }] = [
        require('../../simulator') as typeof import('../../simulator'),
        require('../../temporal/children') as typeof import('../../temporal/children'),
      ];
      const sim = await startSimulator({
        port: Number(flags.port),
        host: flags.host,
        timing: flags.timing,
        apiKeys: flags.apiKey.length ? flags.apiKey : undefined,
        honourIdempotencyKey: flags.honourIdempotencyKey === true,
        log: (l: string) => process.stdout.write(l + '\n'),
      });
      process.stdout.write(`simulator listening on ${sim.url} (OpenAI: ${sim.url}/v1, Anthropic: ${sim.url}/v1/messages/batches)\n`);
      stopOnSignals({ stop: () => sim.close() });
      await new Promise<void>(() => undefined); // until a signal: stopOnSignals closes the simulator and exits
    });
}

export function registerCodecServer(program: Command): void {
  withListen(program.command('codec-server'), '8081', 'address to listen on; whoever reaches it can read every payload')
    .description(
      "serve Temporal's remote codec protocol (POST /encode, /decode) with this process's codec keys, so the Web UI and `temporal workflow show --codec-endpoint` can read encrypted payloads",
    )
    .option(
      '--ui-origin <origin>',
      'browser origin allowed to call it (CORS), e.g. https://cloud.temporal.io (repeatable; default the local Web UI, http://localhost:8233 and http://127.0.0.1:8233)',
      collect,
      [],
    )
    .option('--namespace <ns>', 'serve only these namespaces (X-Namespace header; repeatable; default any)', collect, [])
    .action(async (flags: { port: string; host: string; uiOrigin: string[]; namespace: string[] }) => {
      const [{ codecFromEnv, codecKeysFromEnv, startCodecServer }, { stopOnSignals }] = [
        require('../../codec') as typeof import('../../codec'),
        require('../../temporal/children') as typeof import('../../temporal/children'),
      ];
      const keys = codecKeysFromEnv();
      if (!keys)
        throw new UsageError(
          'codec-server needs codec keys: set ARAZZO_CODEC_KEYS ("id:base64key,...") or ARAZZO_CODEC_KEY_FILE, or run `dev` once to generate .data/codec-keys.json',
        );
      const origins = flags.uiOrigin.length ? flags.uiOrigin : ['http://localhost:8233', 'http://127.0.0.1:8233'];
      const server = await startCodecServer({
        codec: codecFromEnv(keys),
        port: Number(flags.port),
        host: flags.host,
        origins,
        namespaces: flags.namespace,
        log: (l) => process.stdout.write(l + '\n'),
      });
      process.stdout.write(
        `codec server listening on ${server.url} (key "${keys.currentId}" current, ${keys.keys.size} known, from ${keys.source}; CORS: ${origins.join(', ')})\n`,
      );
      stopOnSignals({ stop: () => server.close() });
      await new Promise<void>(() => undefined); // until a signal
    });
}

export function registerDev(program: Command): void {
  withRuntimeFlags(program.command('dev'))
    .description('start the Temporal dev server (SQLite, Web UI), a worker and the simulator; print their addresses; run until Ctrl-C')
    .option('--run-seeds', 'run the four seed documents against the simulator and print their outputs')
    .option('--exit', 'exit when the seeds are done instead of serving until Ctrl-C')
    .option('--port <n>', 'Temporal gRPC port', '7233')
    .option('--ui-port <n>', 'Web UI port (default: gRPC port + 1000)')
    .option('--simulator-port <n>', 'simulator port (0 picks a free one)', '8089')
    .option('--db <file>', 'SQLite file of the dev server', '.data/temporal.db')
    .option('--codec-port <n>', 'port of the codec server the Web UI decodes payloads with (0 picks a free one)', '8081')
    .addOption(new Option('--timing <preset>', 'simulator timing').choices(['fast', 'demo']).default('demo'))
    .option(
      '--documents <dir>',
      'a directory whose files run requests may name as their document (repeatable; default $ARAZZO_DOCUMENTS, else the project directory)',
      collect,
      [],
    )
    .action(async (flags) => {
      const { runDev } = require('../../dev/index') as typeof import('../../dev/index');
      await runDev({
        port: Number(flags.port),
        uiPort: flags.uiPort ? Number(flags.uiPort) : undefined,
        simulatorPort: Number(flags.simulatorPort),
        dbFile: flags.db,
        runSeeds: !!flags.runSeeds,
        exit: !!flags.exit,
        timing: flags.timing,
        documents: flags.documents,
        codecPort: Number(flags.codecPort),
        runtime: runtimeOptions(flags),
      });
    });
}
