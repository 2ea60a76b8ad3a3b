// arazzo-temporal: the command line. Every command is a thin layer over the client library.
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { ArazzoClient, failureMessage, readableWorkflowId, saveBlobOutputs, type RunRequest } from './client';
import { DocumentError, formatDiagnostic } from './core/diagnostics';
import { maskKnown, maskSecrets, rememberSecret } from './core/mask';
import { secretNames } from './core/secrets';
import { parseDuration } from './core/durations';
import { planToMermaid } from './core/graph';
import { checkInputs, prepareDocument, type Prepared } from './load/prepare';
import { displayLocation } from './load/read-source';
import { expandGlobs } from './cli/glob';
import type { Diagnostic } from './core/types';
import { describeStatus, watchRun } from './cli/progress';
import { registerEventCommands } from './cli/events';
import { codecFromEnv, codecKeysFromEnv, startCodecServer } from './codec';
import { runDev } from './dev/index';
import { startSimulator } from './simulator';
import { stopOnSignals } from './temporal/children';
import { installRuntime, startWorker, type WorkerRole } from './worker';

const collect = (value: string, previous: string[]) => [...previous, value];

function pairs(list: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects name=value, got "${item}"`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

class UsageError extends Error {}
/** The command has printed why it failed; exit 1 with nothing more. */
class SilentFailure extends Error {}

/** A GitHub Actions workflow command for a finding: an annotation on the file and line. */
function githubAnnotation(d: Diagnostic): string {
  const esc = (v: string) => v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (v: string) => esc(v).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const where = [d.pos?.file && `file=${prop(d.pos.file)}`, d.pos?.line && `line=${d.pos.line}`, d.pos?.column && `col=${d.pos.column}`, `title=${prop(d.code)}`].filter(Boolean).join(',');
  const scope = [d.workflowId && `workflow ${d.workflowId}`, d.stepId && `step ${d.stepId}`].filter(Boolean).join(', ');
  return `::${d.severity === 'error' ? 'error' : 'warning'} ${where}::${esc(`${scope ? `(${scope}) ` : ''}${d.message}`)}`;
}

/** -i values: JSON when it parses (numbers, arrays, objects), @path reads a file's text, else the string itself. */
function inputValue(raw: string): unknown {
  if (raw.startsWith('@')) return readFileSync(raw.slice(1), 'utf8');
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const SECRET_NAME = /(api[-_]?key|token|secret|password|credential)/i;

interface RunFlags {
  workflow?: string;
  input: string[];
  inputs?: string;
  secret: string[];
  source: string[];
  server: string[];
  overlay: string[];
  strict?: boolean;
  pollInterval?: string;
  pollMaxInterval?: string;
  pollTimeout?: string;
  onUnmatched?: 'fail' | 'continue';
  id?: string;
  json?: boolean;
  address?: string;
  namespace?: string;
  taskQueue?: string;
}

function duration(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`${flag}: cannot read "${value}" as a duration (e.g. 500ms, 5s, 2m, 1h)`);
  return ms;
}

/** The fields that are set, or undefined when none is. */
function definedFields<T extends object>(obj: T): Partial<T> | undefined {
  const set = Object.entries(obj).filter(([, v]) => v !== undefined);
  return set.length ? (Object.fromEntries(set) as Partial<T>) : undefined;
}

function runRequest(document: string, flags: RunFlags): RunRequest {
  const inputs: Record<string, unknown> = flags.inputs ? JSON.parse(readFileSync(flags.inputs, 'utf8')) : {};
  for (const [name, raw] of Object.entries(pairs(flags.input, '-i/--input'))) {
    inputs[name] = inputValue(raw);
    if (SECRET_NAME.test(name) && typeof inputs[name] === 'string') {
      rememberSecret(inputs[name] as string);
      process.stderr.write(`warning: input "${name}" looks like a secret and is passed by value, so it will be stored in workflow history; use --secret ${name}=ENV_VAR\n`);
    }
  }
  for (const [name, env] of Object.entries(pairs(flags.secret, '--secret'))) inputs[name] = { $secret: env };
  // the values of the secrets a run refers to, where this shell has them, are masked in everything the CLI prints
  for (const env of secretNames(inputs)) rememberSecret(process.env[env]);
  return {
    document,
    workflowId: flags.workflow,
    inputs,
    sources: pairs(flags.source, '--source'),
    servers: pairs(flags.server, '--server'),
    overlays: flags.overlay.length ? flags.overlay : undefined,
    strict: flags.strict,
    // only the flags given: an absent flag must not override the document's or the engine's default
    poll: definedFields({
      initialIntervalMs: duration('--poll-interval', flags.pollInterval),
      maxIntervalMs: duration('--poll-max-interval', flags.pollMaxInterval),
      timeoutMs: duration('--poll-timeout', flags.pollTimeout),
    }),
    options: flags.onUnmatched ? { onUnmatched: flags.onUnmatched } : undefined,
    id: flags.id,
  };
}

function withRunFlags(cmd: Command): Command {
  return cmd
    .option('-w, --workflow <workflowId>', 'which workflow of the document to run (default: the first)')
    .option('-i, --input <name=value>', 'a run input; JSON values are parsed, @file reads a file (repeatable)', collect, [])
    .option('--inputs <file.json>', 'run inputs from a JSON file (flags -i and --secret override it)')
    .option('--secret <name=ENV_VAR>', "pass an input by reference to the worker's environment variable; its value never enters workflow history (repeatable)", collect, [])
    .option('--source <name=path|url>', "replace a source description's location (repeatable)", collect, [])
    .option('--server <name=url>', "replace the server URL of a source description's operations (repeatable)", collect, [])
    .option('--overlay <file.overlay.yaml>', 'an OpenAPI Overlay 1.0 document applied to the Arazzo document before anything else, e.g. overlays/openai-batch-job.overlay.yaml (repeatable, applied in order)', collect, [])
    .option('--strict', 'treat warnings about lenient document forms as errors')
    .option('--poll-interval <duration>', 'first wait of a loop between iterations (default 1s)')
    .option('--poll-max-interval <duration>', 'cap of the backed-off loop wait (default 60s)')
    .option('--poll-timeout <duration>', 'give up a poll loop after this long (default 25h)')
    .addOption(new Option('--on-unmatched <mode>', 'a poll whose response matches none of its actions').choices(['fail', 'continue']).default('fail'))
    .option('--id <workflowExecutionId>', 'Temporal workflow id (default: <workflowId>-<timestamp>-<random>)');
}

function withConnection(cmd: Command): Command {
  return cmd
    .option('--address <host:port>', 'Temporal frontend (default $TEMPORAL_ADDRESS or localhost:7233)')
    .option('--namespace <ns>', 'Temporal namespace (default $TEMPORAL_NAMESPACE or default)')
    .option('--task-queue <name>', 'task queue of the interpreter workflows (default $ARAZZO_TASK_QUEUE or arazzo-temporal)')
    .option('--activity-task-queue <name>', 'task queue of the HTTP step activities (default $ARAZZO_ACTIVITY_TASK_QUEUE or the workflow queue)');
}

interface ConnectionFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  activityTaskQueue?: string;
}

/** A document and inputs that cannot run are reported as such before a connection is tried (even with no server up). */
async function checkedBeforeConnecting(req: RunRequest): Promise<RunRequest> {
  const prepared = await prepareDocument(req.document, req);
  checkInputs(prepared.plan, req.inputs ?? {}, prepared.locate);
  return req;
}

/** Connect with the command's flags, run `fn`, and always close the connection. */
async function withClient(flags: ConnectionFlags, fn: (client: ArazzoClient) => Promise<void>): Promise<void> {
  const client = await ArazzoClient.connect({ address: flags.address, namespace: flags.namespace, taskQueue: flags.taskQueue, activityTaskQueue: flags.activityTaskQueue });
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

/** The run's notes on null outputs (what the step's response said instead), on stderr. */
function printNotes(notes: string[] | undefined): void {
  for (const note of notes ?? []) process.stderr.write(`note: ${note}\n`);
}

async function reportBlobs(outputs: Record<string, unknown>, dir: string): Promise<void> {
  for (const [name, path] of Object.entries(await saveBlobOutputs(outputs, dir))) process.stderr.write(`output ${name} written to ${path}\n`);
}

/** Outputs as JSON on stdout, with the values of known secrets masked (data: only exact values are). */
function printJson(value: unknown): void {
  process.stdout.write(maskKnown(JSON.stringify(value, null, 2)) + '\n');
}

function printWarnings(warnings: { severity: string }[]): void {
  for (const w of warnings) process.stderr.write(formatDiagnostic(w as never) + '\n');
}

export function buildProgram(): Command {
  const program = new Command('arazzo-temporal')
    .description('Run Arazzo workflows durably on Temporal: every step an activity, loops on durable timers, secrets kept out of history.')
    .showHelpAfterError()
    .exitOverride();

  withConnection(withRunFlags(program.command('run <document>')))
    .description('start a workflow of the document, wait for it, and print its outputs')
    .option('--json', 'print only the outputs object, as JSON, on stdout')
    .option('--blobs <dir>', 'write outputs that are too large for history (blob references) to files in <dir>')
    .option('--no-progress', 'do not show the progress line on stderr')
    .action(async (document: string, flags: RunFlags & { progress: boolean; blobs?: string }) => {
      const req = await checkedBeforeConnecting(runRequest(document, flags));
      await withClient(flags, async (client) => {
        const started = await client.start(req);
        if (!flags.json) printWarnings(started.prepared.warnings);
        process.stderr.write(`started ${started.workflowId}\n`);
        const result = await watchRun(started.handle, started.plan, { show: flags.progress && !!process.stderr.isTTY });
        if (flags.blobs) await reportBlobs(result.outputs, flags.blobs);
        printNotes(result.notes);
        if (flags.json) printJson(result.outputs);
        else {
          process.stdout.write(`${started.workflowId} completed (${result.stepRuns} step runs, ${result.polls} polls inside activities${result.batchStatus ? `; batch ${describeStatus({ batchStatus: result.batchStatus, requestCounts: result.requestCounts })}` : ''})\n`);
          printJson(result.outputs);
        }
      });
    });

  withConnection(withRunFlags(program.command('start <document>')))
    .description('start a workflow of the document and print its workflow id')
    .action(async (document: string, flags: RunFlags) => {
      const req = await checkedBeforeConnecting(runRequest(document, flags));
      await withClient(flags, async (client) => {
        const started = await client.start(req);
        printWarnings(started.prepared.warnings);
        process.stdout.write(started.workflowId + '\n');
      });
    });

  withConnection(program.command('result <workflowId>'))
    .description('wait for a run and print its outputs')
    .option('--json', 'print only the outputs object, as JSON')
    .option('--blobs <dir>', 'write outputs that are too large for history (blob references) to files in <dir>')
    .action(async (workflowId: string, flags: { json?: boolean; blobs?: string; address?: string; namespace?: string; taskQueue?: string }) => {
      await withClient(flags, async (client) => {
        const result = await client.result(workflowId);
        if (flags.blobs) await reportBlobs(result.outputs, flags.blobs);
        if (flags.json) printNotes(result.notes);
        printJson(flags.json ? result.outputs : result);
      });
    });

  withConnection(program.command('cancel <workflowId>'))
    .description("cancel a run; what its steps created is cancelled through each step's x-temporal-cancel operation")
    .action(async (workflowId: string, flags) => {
      await withClient(flags, async (client) => {
        await client.cancel(workflowId);
        process.stdout.write(`cancellation requested for ${workflowId}\n`);
      });
    });

  withConnection(program.command('resolve <workflowId>'))
    .description('resolve a create step stopped with "outcome unknown" (its request may or may not have created something): --use-id names what it created, --resend sends it again; the run continues from that step')
    .requiredOption('--step <stepId>', 'the step that waits (named in the outcome-unknown message and the progress query)')
    .option('--use-id <id>', 'the request created this object: the step is judged as if it had answered 200 with body {"id": <id>}')
    .option('--resend', 'the request created nothing: send it again')
    .action(async (workflowId: string, flags: ConnectionFlags & { step: string; useId?: string; resend?: boolean }) => {
      if ((flags.useId !== undefined) === !!flags.resend) throw new UsageError('resolve: give exactly one of --use-id <id> or --resend');
      await withClient(flags, async (client) => {
        const r = await client.resolve(workflowId, { stepId: flags.step, ...(flags.useId !== undefined ? { useId: flags.useId } : { resend: true }) });
        process.stdout.write(`step ${r.stepId} of ${workflowId} resolved (${r.resolution}); the run continues\n`);
      });
    });

  withRunFlags(program.command('validate <documents...>'))
    .description('check documents (and inputs, if given) without starting anything; prints warnings and errors with file:line. Several files or a quoted glob ("arazzo/**/*.yaml") are checked in one process')
    .option('--json', 'print the findings as JSON (several documents: a list of {file, valid, diagnostics})')
    .option('--graph', 'print a Mermaid flowchart of the workflow on stdout (findings go to stderr); one document only')
    .option('--offline', 'fetch no remote (http/https) source description: what the document asks of one is listed as not checked; local sources are still read')
    .addOption(new Option('--format <format>', 'text, or github: GitHub Actions annotations (::error file=…,line=…::…) on stdout').choices(['text', 'github']).default('text'))
    .action(async (patterns: string[], flags: RunFlags & { json?: boolean; graph?: boolean; offline?: boolean; format: 'text' | 'github' }) => {
      const documents = await expandGlobs(patterns);
      if (flags.graph && documents.length > 1) throw new UsageError('--graph takes one document');
      const withInputs = !!(flags.input.length || flags.inputs || flags.secret.length);
      const results: { file: string; valid: boolean; diagnostics: Diagnostic[]; inputs?: Record<string, unknown>; prepared?: Prepared }[] = [];
      for (const document of documents) {
        const req = runRequest(document, flags);
        try {
          const prepared = await prepareDocument(document, { ...req, offline: flags.offline });
          const inputs = withInputs ? checkInputs(prepared.plan, req.inputs ?? {}, prepared.locate, prepared.workflowPath) : undefined;
          results.push({ file: prepared.plan.document.file, valid: true, diagnostics: prepared.diagnostics, inputs, prepared });
        } catch (err) {
          if (!(err instanceof DocumentError)) throw err;
          results.push({ file: displayLocation(document), valid: false, diagnostics: err.diagnostics });
        }
      }
      const failed = results.filter((r) => !r.valid);
      if (flags.json) {
        const shown = results.map(({ file, valid, diagnostics, inputs, prepared }) => ({ file, valid, diagnostics, ...(inputs && { inputs }), ...(prepared?.notChecked && { notChecked: prepared.notChecked }), ...(flags.graph && prepared && { graph: planToMermaid(prepared.plan) }) }));
        process.stdout.write(JSON.stringify(documents.length === 1 ? shown[0] : shown, null, 2) + '\n');
      } else if (flags.format === 'github') {
        for (const r of results) for (const d of r.diagnostics) process.stdout.write(githubAnnotation(d) + '\n');
        for (const r of results) for (const n of r.prepared?.notChecked ?? []) process.stdout.write(`::notice file=${r.file},title=not checked::source description "${n.name}" (${n.location}) was not fetched (--offline): its operations are not checked\n`);
      } else {
        for (const r of results) {
          if (!r.valid) {
            process.stderr.write(`${r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n')}\n`);
            continue;
          }
          const prepared = r.prepared!;
          printWarnings(prepared.diagnostics);
          for (const n of prepared.notChecked ?? []) process.stderr.write(`${r.file}: not checked: source description "${n.name}" (${n.location}) was not fetched (--offline)\n`);
          // the inputs the run would start with: the schema's defaults applied (secrets stay references)
          if (r.inputs) process.stderr.write(`inputs after defaults: ${JSON.stringify(r.inputs, (_, v) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}… (${v.length} characters)` : v))}\n`);
          const n = prepared.diagnostics.length;
          const summary = `${prepared.plan.document.file}: workflow ${prepared.plan.workflowId} is valid (${prepared.plan.steps.length} steps${n ? `, ${n} warning${n > 1 ? 's' : ''}` : ''}${prepared.notChecked ? `, ${prepared.notChecked.length} remote source${prepared.notChecked.length > 1 ? 's' : ''} not checked` : ''})\n`;
          if (flags.graph) {
            process.stderr.write(summary);
            process.stdout.write(planToMermaid(prepared.plan));
          } else process.stdout.write(summary);
        }
        if (documents.length > 1) process.stdout.write(`${documents.length} documents: ${documents.length - failed.length} valid, ${failed.length} invalid\n`);
      }
      if (failed.length) throw new SilentFailure();
    });

  withRunFlags(program.command('graph <document>'))
    .description('print a Mermaid flowchart of a workflow: steps in order, goto edges with their criteria, retry loops, end actions')
    .option('--no-operations', 'leave out the method and path of each step')
    .action(async (document: string, flags: RunFlags & { operations: boolean }) => {
      const prepared = await prepareDocument(document, runRequest(document, flags));
      printWarnings(prepared.diagnostics);
      process.stdout.write(planToMermaid(prepared.plan, { operations: flags.operations }));
    });

  const schedule = program.command('schedule').description('run documents on Temporal Schedules');
  withConnection(withRunFlags(schedule.command('create <scheduleId> <document>')))
    .description('create a schedule that starts the document: --cron "<expr>" or --every <duration>; it stores the document\'s path (or URL), so each firing runs the document as it is then (the worker must have it under a --documents root)')
    .option('--cron <expr>', 'cron expression, e.g. "0 * * * *"')
    .option('--every <duration>', 'interval, e.g. 1h or 30m')
    .option('--pin', "store the document's sha256: a firing after the document changed fails, saying what changed (default: each firing runs the document as it is then)")
    .action(async (scheduleId: string, document: string, flags: RunFlags & { cron?: string; every?: string; pin?: boolean }) => {
      if (!!flags.cron === !!flags.every) throw new UsageError('schedule create needs exactly one of --cron or --every');
      if (flags.every && parseDuration(flags.every) === undefined) throw new UsageError(`--every: cannot read "${flags.every}" as a duration`);
      await withClient(flags, async (client) => {
        const request = await client.createSchedule(scheduleId, runRequest(document, flags), { cron: flags.cron, every: flags.every }, { pin: flags.pin });
        process.stdout.write(`schedule ${scheduleId} created: each firing runs ${request.document}${request.pin ? ` pinned at ${request.pin}` : ' as it is then'}\n`);
      });
    });
  withConnection(schedule.command('list'))
    .description('list schedules')
    .action(async (flags) => {
      await withClient(flags, async (client) => {
        for (const s of await client.listSchedules()) process.stdout.write(`${s.scheduleId}\t${s.summary}\t${s.next?.toISOString() ?? ''}\n`);
      });
    });
  withConnection(schedule.command('delete <scheduleId>'))
    .description('delete a schedule')
    .action(async (scheduleId: string, flags) => {
      await withClient(flags, async (client) => {
        await client.deleteSchedule(scheduleId);
        process.stdout.write(`schedule ${scheduleId} deleted\n`);
      });
    });

  withConnection(program.command('worker'))
    .description('run a worker (interpreter workflow + HTTP activities) until Ctrl-C')
    .addOption(new Option('--role <role>', 'all: workflows and HTTP activities; workflows or activities: one of them, to scale and size them apart').choices(['all', 'workflows', 'activities']).default('all'))
    .option('--allow-host <host|ip|cidr>', "a host the HTTP steps may call besides the servers of the documents' source descriptions (name, *.domain, IP or CIDR; also $ARAZZO_ALLOW_HOSTS, comma-separated); loopback, private and link-local addresses need an entry (repeatable)", collect, [])
    .option('--documents <dir>', 'a directory whose files run requests may name as their document (repeatable; default $ARAZZO_DOCUMENTS, separated like PATH; none: only inline documents and https URLs)', collect, [])
    .action(async (flags: ConnectionFlags & { role: WorkerRole; allowHost: string[]; documents: string[] }) => {
      installRuntime('INFO');
      const documentRoots = flags.documents.length ? flags.documents : undefined;
      const handle = await startWorker({ address: flags.address, namespace: flags.namespace, taskQueue: flags.taskQueue, activityTaskQueue: flags.activityTaskQueue, role: flags.role, allowHosts: flags.allowHost, documentRoots });
      const queues = `task queue ${handle.worker.options.taskQueue}${flags.role === 'all' && flags.activityTaskQueue ? `, activities on ${flags.activityTaskQueue}` : ''}`;
      process.stdout.write(`worker running (${flags.role}; ${queues})\n`);
      stopOnSignals({ stop: () => handle.stop() });
      await handle.done;
    });

  program
    .command('simulator')
    .description('run the provider simulator (OpenAI Files/Batches/Fine-tuning, Anthropic Message Batches, a Bifrost gateway under /bifrost) until Ctrl-C')
    .option('--port <n>', 'port (default 8089; 0 picks a free one)', '8089')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--timing <preset>', 'how fast jobs move through their states').choices(['fast', 'demo']).default('demo'))
    .option('--api-key <key>', 'accepted API key (repeatable; default: any non-empty key)', collect, [])
    .option('--honour-idempotency-key', 'replay the stored response for a repeated Idempotency-Key (OpenAI and Anthropic document no such behaviour, so by default a repeated create creates again)')
    .action(async (flags: { port: string; host: string; timing: 'fast' | 'demo'; apiKey: string[]; honourIdempotencyKey?: boolean }) => {
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

  registerEventCommands(program, withConnection);
  program.command('codec-server')
    .description("serve Temporal's remote codec protocol (POST /encode, /decode) with this process's codec keys, so the Web UI and `temporal workflow show --codec-endpoint` can read encrypted payloads")
    .option('--port <n>', 'port (default 8081; 0 picks a free one)', '8081')
    .option('--host <host>', 'address to listen on; whoever reaches it can read every payload', '127.0.0.1')
    .option('--ui-origin <origin>', 'browser origin allowed to call it (CORS), e.g. https://cloud.temporal.io (repeatable; default the local Web UI, http://localhost:8233 and http://127.0.0.1:8233)', collect, [])
    .option('--namespace <ns>', 'serve only these namespaces (X-Namespace header; repeatable; default any)', collect, [])
    .action(async (flags: { port: string; host: string; uiOrigin: string[]; namespace: string[] }) => {
      const keys = codecKeysFromEnv();
      if (!keys) throw new UsageError('codec-server needs codec keys: set ARAZZO_CODEC_KEYS ("id:base64key,...") or ARAZZO_CODEC_KEY_FILE, or run `dev` once to generate .data/codec-keys.json');
      const origins = flags.uiOrigin.length ? flags.uiOrigin : ['http://localhost:8233', 'http://127.0.0.1:8233'];
      const server = await startCodecServer({ codec: codecFromEnv(keys), port: Number(flags.port), host: flags.host, origins, namespaces: flags.namespace, log: (l) => process.stdout.write(l + '\n') });
      process.stdout.write(`codec server listening on ${server.url} (key "${keys.currentId}" current, ${keys.keys.size} known, from ${keys.source}; CORS: ${origins.join(', ')})\n`);
      stopOnSignals({ stop: () => server.close() });
      await new Promise<void>(() => undefined); // until a signal
    });

  program.command('dev')
    .description('start the Temporal dev server (SQLite, Web UI), a worker and the simulator; print their addresses; run until Ctrl-C')
    .option('--run-seeds', 'run the four seed documents against the simulator and print their outputs')
    .option('--exit', 'exit when the seeds are done instead of serving until Ctrl-C')
    .option('--port <n>', 'Temporal gRPC port', '7233')
    .option('--ui-port <n>', 'Web UI port (default: gRPC port + 1000)')
    .option('--simulator-port <n>', 'simulator port (0 picks a free one)', '8089')
    .option('--db <file>', 'SQLite file of the dev server', '.data/temporal.db')
    .option('--codec-port <n>', 'port of the codec server the Web UI decodes payloads with (0 picks a free one)', '8081')
    .addOption(new Option('--timing <preset>', 'simulator timing').choices(['fast', 'demo']).default('demo'))
    .option('--documents <dir>', 'a directory whose files run requests may name as their document (repeatable; default $ARAZZO_DOCUMENTS, else the project directory)', collect, [])
    .action(async (flags) => {
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
      });
    });

  return program;
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (e.code?.startsWith('commander.')) return e.exitCode ?? 2;
    if (err instanceof SilentFailure) return 1;
    // messages are masked of credentials: a key passed by value, or one an API echoed back
    if (err instanceof DocumentError) process.stderr.write(maskSecrets(`${err.message}\nnothing was started.\n`));
    else if (err instanceof UsageError) process.stderr.write(maskSecrets(`error: ${err.message}\n`));
    else process.stderr.write(maskSecrets(`error: ${failureMessage(err)}\n`));
    return err instanceof UsageError ? 2 : 1;
  }
}

export { readableWorkflowId };

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
