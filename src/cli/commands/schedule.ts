// schedule create/list/describe/pause/unpause/trigger/backfill/update/delete: documents on Temporal Schedules.
import { Option, type Command } from 'commander';
import { formatSchedule, OVERLAPS, type Overlap, type ScheduleTimes } from '../../schedules';
import { parseDuration } from '../../core/durations';
import {
  printJson,
  runRequest,
  UsageError,
  withClient,
  withConnection,
  withRunFlags,
  type ConnectionFlags,
  type RunFlags,
} from '../shared';

type TimeFlags = { cron?: string; every?: string; jitter?: string };
type PolicyFlags = { overlap?: Overlap; catchupWindow?: string };

const overlapOption = (what: string) =>
  new Option('--overlap <policy>', `what ${what} does while the schedule's previous run is still open`).choices([...OVERLAPS]);

function withTimeFlags(cmd: Command): Command {
  return cmd
    .option('--cron <expr>', 'cron expression, e.g. "0 * * * *"')
    .option('--every <duration>', 'interval, e.g. 1h or 30m')
    .option('--jitter <duration>', 'add a random delay of up to this to each firing, e.g. 5m');
}

function withPolicyFlags(cmd: Command): Command {
  return cmd
    .addOption(overlapOption('a firing').default(undefined, 'skip'))
    .option('--catchup-window <duration>', 'after an outage, still take a missed firing up to this late (default 1m)');
}

/** The spec the flags give, or undefined when they give none (an update that keeps the spec). */
function times(flags: TimeFlags, required: boolean): ScheduleTimes | undefined {
  if (!flags.cron && !flags.every && !required) {
    if (flags.jitter) throw new UsageError('--jitter needs --cron or --every');
    return undefined;
  }
  if (!!flags.cron === !!flags.every) throw new UsageError('a schedule needs exactly one of --cron or --every');
  for (const [flag, value] of [
    ['--every', flags.every],
    ['--jitter', flags.jitter],
  ] as const)
    if (value !== undefined && parseDuration(value) === undefined) throw new UsageError(`${flag}: cannot read "${value}" as a duration`);
  return { cron: flags.cron, every: flags.every, jitter: flags.jitter };
}

function checkWindow(flags: ConnectionFlags & PolicyFlags): void {
  if (flags.catchupWindow !== undefined && parseDuration(flags.catchupWindow) === undefined)
    throw new UsageError(`--catchup-window: cannot read "${flags.catchupWindow}" as a duration`);
}

function date(flag: string, value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag}: cannot read "${value}" as a date (e.g. 2026-01-31T02:00:00Z)`);
  return d;
}

type CreateFlags = RunFlags & TimeFlags & PolicyFlags & { pin?: boolean; paused?: boolean; note?: string };

function registerCreate(schedule: Command): void {
  withConnection(withPolicyFlags(withTimeFlags(withRunFlags(schedule.command('create <scheduleId> <document>')))))
    .description(
      'create a schedule that starts the document: --cron "<expr>" or --every <duration>; it stores the document\'s path (or URL), so each firing runs the document as it is then (the worker must have it under a --documents root)',
    )
    .option(
      '--pin',
      "store the document's sha256: a firing after the document changed fails, saying what changed (default: each firing runs the document as it is then)",
    )
    .option('--paused', 'create it paused (unpause to start firing)')
    .option('--note <text>', 'a note on the schedule, e.g. why it is paused')
    .action(async (scheduleId: string, document: string, flags: CreateFlags) => {
      const spec = times(flags, true) as ScheduleTimes;
      checkWindow(flags);
      await withClient(flags, async (client) => {
        const request = await client.createSchedule(scheduleId, runRequest(document, flags), spec, flags);
        process.stdout.write(
          `schedule ${scheduleId} created${flags.paused ? ' (paused)' : ''}: each firing runs ${request.document}${request.pin ? ` pinned at ${request.pin}` : ' as it is then'}\n`,
        );
      });
    });
}

function registerStateCommands(schedule: Command): void {
  for (const verb of ['pause', 'unpause'] as const)
    withConnection(schedule.command(`${verb} <scheduleId>`))
      .description(verb === 'pause' ? 'stop a schedule from firing (trigger and backfill still work)' : 'let a paused schedule fire again')
      .option('--note <text>', `why it is ${verb}d (shown by describe)`)
      .action(async (scheduleId: string, flags: ConnectionFlags & { note?: string }) => {
        await withClient(flags, async (client) => {
          await (verb === 'pause' ? client.pauseSchedule(scheduleId, flags.note) : client.unpauseSchedule(scheduleId, flags.note));
          process.stdout.write(`schedule ${scheduleId} ${verb}d\n`);
        });
      });
  withConnection(schedule.command('trigger <scheduleId>'))
    .description('fire a schedule now')
    .addOption(overlapOption('this firing'))
    .action(async (scheduleId: string, flags: ConnectionFlags & PolicyFlags) => {
      await withClient(flags, async (client) => {
        await client.triggerSchedule(scheduleId, flags.overlap);
        process.stdout.write(`schedule ${scheduleId} triggered\n`);
      });
    });
  withConnection(schedule.command('backfill <scheduleId>'))
    .description('take now the firings the spec gives between --from and --to')
    .requiredOption('--from <time>', 'start of the range, e.g. 2026-01-01T00:00:00Z')
    .requiredOption('--to <time>', 'end of the range')
    .addOption(overlapOption('each backfilled firing'))
    .action(async (scheduleId: string, flags: ConnectionFlags & PolicyFlags & { from: string; to: string }) => {
      const [from, to] = [date('--from', flags.from), date('--to', flags.to)];
      if (from >= to) throw new UsageError('--from must be before --to');
      await withClient(flags, async (client) => {
        await client.backfillSchedule(scheduleId, from, to, flags.overlap);
        process.stdout.write(`schedule ${scheduleId} backfilled from ${from.toISOString()} to ${to.toISOString()}\n`);
      });
    });
}

type UpdateFlags = RunFlags & TimeFlags & PolicyFlags & { document?: string; pin?: boolean };

/** Run flags given on update: a new run request; inputs, servers and sources not given are kept. */
function changedRequest(
  flags: UpdateFlags,
  previous: {
    document?: unknown;
    inputs?: Record<string, unknown>;
    servers?: Record<string, string>;
    sources?: Record<string, string>;
    workflow?: string;
  },
) {
  const given =
    flags.document ||
    flags.input.length ||
    flags.inputs ||
    flags.secret.length ||
    flags.server.length ||
    flags.source.length ||
    flags.workflow;
  if (!given) return undefined;
  const document = flags.document ?? previous.document;
  if (typeof document !== 'string') throw new UsageError('this schedule runs an inline document: give --document');
  const req = runRequest(document, flags);
  if (!flags.input.length && !flags.inputs && !flags.secret.length) req.inputs = previous.inputs;
  if (!flags.server.length) req.servers = previous.servers;
  if (!flags.source.length) req.sources = previous.sources;
  if (!flags.workflow && !flags.document) req.workflowId = previous.workflow;
  return req;
}

function registerUpdate(schedule: Command): void {
  withConnection(withPolicyFlags(withTimeFlags(withRunFlags(schedule.command('update <scheduleId>')))))
    .description(
      'change what a schedule runs (--document, inputs, servers: checked now), when (--cron/--every/--jitter), or its policies; what is not given is kept',
    )
    .option('--document <document>', 'the document each firing runs from now on')
    .option('--pin', "store the document's sha256 (default: as the schedule had it)")
    .action(async (scheduleId: string, flags: UpdateFlags) => {
      const spec = times(flags, false);
      checkWindow(flags);
      await withClient(flags, async (client) => {
        const previous = (await client.describeSchedule(scheduleId)).request ?? {};
        const request = changedRequest(flags, previous);
        await client.updateSchedule(scheduleId, { request, pin: flags.pin, times: spec, policies: flags });
        process.stdout.write(`schedule ${scheduleId} updated\n`);
      });
    });
}

export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('run documents on Temporal Schedules');
  registerCreate(schedule);
  withConnection(schedule.command('list'))
    .description('list schedules: id, spec, next run (and "paused")')
    .action(async (flags) => {
      await withClient(flags, async (client) => {
        for (const s of await client.listSchedules())
          process.stdout.write(`${s.scheduleId}\t${s.summary}\t${s.next?.toISOString() ?? ''}${s.paused ? '\tpaused' : ''}\n`);
      });
    });
  withConnection(schedule.command('describe <scheduleId>'))
    .description('a schedule: spec, document, policies, next 5 run times, recent firings with the status of their runs, skipped firings')
    .option('--json', 'as JSON')
    .action(async (scheduleId: string, flags: ConnectionFlags & { json?: boolean }) => {
      await withClient(flags, async (client) => {
        const view = await client.describeSchedule(scheduleId);
        if (flags.json) printJson(view);
        else process.stdout.write(formatSchedule(view));
      });
    });
  registerStateCommands(schedule);
  registerUpdate(schedule);
  withConnection(schedule.command('delete <scheduleId>'))
    .description('delete a schedule')
    .action(async (scheduleId: string, flags) => {
      await withClient(flags, async (client) => {
        await client.deleteSchedule(scheduleId);
        process.stdout.write(`schedule ${scheduleId} deleted\n`);
      });
    });
}
