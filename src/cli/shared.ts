// What the commands share: run flags into a run request, connection flags, the client, printing, usage errors.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
// the client (and @temporalio/client) is loaded by the commands that connect, not by validate
import type { ArazzoClient, RunRequest } from '../client';
import type { ConnectionOverrides } from '../connection';
import { formatDiagnostic } from '../core/diagnostics';
import { maskKnown, rememberSecret } from '../core/mask';
import { secretNames } from '../core/secrets';
import { parseDuration } from '../core/durations';
import { checkInputs } from '../load/prepare';
import { preparePlan } from '../load/plan-cache';
import { Option } from 'commander';

export const collect = (value: string, previous: string[]) => [...previous, value];

export function pairs(list: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects name=value, got "${item}"`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

export class UsageError extends Error {}
/** The command has printed why it failed; exit 1 with nothing more. */
export class SilentFailure extends Error {}

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

export interface RunFlags {
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

export function duration(flag: string, value: string | undefined): number | undefined {
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

export function runRequest(document: string, flags: RunFlags): RunRequest {
  const inputs: Record<string, unknown> = flags.inputs ? JSON.parse(readFileSync(flags.inputs, 'utf8')) : {};
  for (const [name, raw] of Object.entries(pairs(flags.input, '-i/--input'))) {
    inputs[name] = inputValue(raw);
    if (SECRET_NAME.test(name) && typeof inputs[name] === 'string') {
      rememberSecret(inputs[name] as string);
      process.stderr.write(
        `warning: input "${name}" looks like a secret and is passed by value, so it will be stored in workflow history; use --secret ${name}=ENV_VAR\n`,
      );
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

export function withRunFlags(cmd: Command): Command {
  return cmd
    .option('-w, --workflow <workflowId>', 'which workflow of the document to run (default: the first)')
    .option('-i, --input <name=value>', 'a run input; JSON values are parsed, @file reads a file (repeatable)', collect, [])
    .option('--inputs <file.json>', 'run inputs from a JSON file (flags -i and --secret override it)')
    .option(
      '--secret <name=ENV_VAR>',
      "pass an input by reference to the worker's environment variable; its value never enters workflow history (repeatable)",
      collect,
      [],
    )
    .option('--source <name=path|url>', "replace a source description's location (repeatable)", collect, [])
    .option('--server <name=url>', "replace the server URL of a source description's operations (repeatable)", collect, [])
    .option(
      '--overlay <file.overlay.yaml>',
      'an OpenAPI Overlay 1.0 document applied to the Arazzo document before anything else, e.g. overlays/openai-batch-job.overlay.yaml (repeatable, applied in order)',
      collect,
      [],
    )
    .option('--strict', 'treat warnings about lenient document forms as errors')
    .option('--poll-interval <duration>', 'first wait of a loop between iterations (default 1s)')
    .option('--poll-max-interval <duration>', 'cap of the backed-off loop wait (default 60s)')
    .option('--poll-timeout <duration>', 'give up a poll loop after this long (default 25h)')
    .addOption(
      new Option('--on-unmatched <mode>', 'a poll whose response matches none of its actions')
        .choices(['fail', 'continue'])
        .default('fail'),
    )
    .option('--id <workflowExecutionId>', 'Temporal workflow id (default: <workflowId>-<timestamp>-<random>)');
}

export function withConnection(cmd: Command): Command {
  return cmd
    .option('--address <host:port>', "Temporal frontend (default $TEMPORAL_ADDRESS, the profile's, or localhost:7233)")
    .option('--namespace <ns>', "Temporal namespace (default $TEMPORAL_NAMESPACE, the profile's, or default)")
    .option(
      '--profile <name>',
      "profile of the Temporal config file ($TEMPORAL_CONFIG_FILE or ~/.config/temporalio/temporal.toml; default $TEMPORAL_PROFILE or default); API keys: $TEMPORAL_API_KEY or the profile's api_key",
    )
    .option('--tls', 'connect over TLS (implied by the --tls-* flags, an API key, or the profile)')
    .option('--tls-ca <file.pem>', "CA certificate that signed the server's certificate")
    .option('--tls-cert <file.pem>', 'client certificate for mutual TLS (with --tls-key)')
    .option('--tls-key <file.pem>', "the client certificate's private key")
    .option('--tls-server-name <name>', "the name the server's certificate carries, when not the address's host")
    .option('--task-queue <name>', 'task queue of the interpreter workflows (default $ARAZZO_TASK_QUEUE or arazzo-temporal)')
    .option(
      '--activity-task-queue <name>',
      'task queue of the HTTP step activities (default $ARAZZO_ACTIVITY_TASK_QUEUE or the workflow queue)',
    );
}

export interface ConnectionFlags extends ConnectionOverrides {
  taskQueue?: string;
  activityTaskQueue?: string;
}

/** The connection and queue flags, as the client and the worker take them. */
export function connectionFlags(f: ConnectionFlags): ConnectionFlags {
  const { address, namespace, profile, tls, tlsCa, tlsCert, tlsKey, tlsServerName, taskQueue, activityTaskQueue } = f;
  return { address, namespace, profile, tls, tlsCa, tlsCert, tlsKey, tlsServerName, taskQueue, activityTaskQueue };
}

/** A document and inputs that cannot run are reported as such before a connection is tried (even with no server up). */
export async function checkedBeforeConnecting(req: RunRequest): Promise<RunRequest> {
  const prepared = await preparePlan(req.document, req);
  checkInputs(prepared.plan, req.inputs ?? {}, prepared.locate);
  return req;
}

/** Connect with the command's flags, run `fn`, and always close the connection. */
export async function withClient(flags: ConnectionFlags, fn: (client: ArazzoClient) => Promise<void>): Promise<void> {
  const { ArazzoClient } = require('../client') as typeof import('../client');
  const client = await ArazzoClient.connect(connectionFlags(flags));
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

/** The run's notes on null outputs (what the step's response said instead), on stderr. */
export function printNotes(notes: string[] | undefined): void {
  for (const note of notes ?? []) process.stderr.write(`note: ${note}\n`);
}

export async function reportBlobs(outputs: Record<string, unknown>, dir: string): Promise<void> {
  const { saveBlobOutputs } = require('../client') as typeof import('../client');
  for (const [name, path] of Object.entries(await saveBlobOutputs(outputs, dir)))
    process.stderr.write(`output ${name} written to ${path}\n`);
}

/** Outputs as JSON on stdout, with the values of known secrets masked (data: only exact values are). */
export function printJson(value: unknown): void {
  process.stdout.write(maskKnown(JSON.stringify(value, null, 2)) + '\n');
}

export function printWarnings(warnings: { severity: string }[]): void {
  for (const w of warnings) process.stderr.write(formatDiagnostic(w as never) + '\n');
}

/** --port and --host of a command that listens (0 picks a free port; loopback unless told otherwise). */
export function withListen(cmd: Command, port: string, hostHelp = 'address to listen on'): Command {
  return cmd.option('--port <n>', 'port (0 picks a free one)', port).option('--host <host>', hostHelp, '127.0.0.1');
}
