// schedule create/list/delete: documents on Temporal Schedules.
import type { Command } from 'commander';
import { parseDuration } from '../../core/durations';
import { runRequest, UsageError, withClient, withConnection, withRunFlags, type RunFlags } from '../shared';

export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('run documents on Temporal Schedules');
  withConnection(withRunFlags(schedule.command('create <scheduleId> <document>')))
    .description(
      'create a schedule that starts the document: --cron "<expr>" or --every <duration>; it stores the document\'s path (or URL), so each firing runs the document as it is then (the worker must have it under a --documents root)',
    )
    .option('--cron <expr>', 'cron expression, e.g. "0 * * * *"')
    .option('--every <duration>', 'interval, e.g. 1h or 30m')
    .option(
      '--pin',
      "store the document's sha256: a firing after the document changed fails, saying what changed (default: each firing runs the document as it is then)",
    )
    .action(async (scheduleId: string, document: string, flags: RunFlags & { cron?: string; every?: string; pin?: boolean }) => {
      if (!!flags.cron === !!flags.every) throw new UsageError('schedule create needs exactly one of --cron or --every');
      if (flags.every && parseDuration(flags.every) === undefined)
        throw new UsageError(`--every: cannot read "${flags.every}" as a duration`);
      await withClient(flags, async (client) => {
        const request = await client.createSchedule(
          scheduleId,
          runRequest(document, flags),
          { cron: flags.cron, every: flags.every },
          { pin: flags.pin },
        );
        process.stdout.write(
          `schedule ${scheduleId} created: each firing runs ${request.document}${request.pin ? ` pinned at ${request.pin}` : ' as it is then'}\n`,
        );
      });
    });
  withConnection(schedule.command('list'))
    .description('list schedules')
    .action(async (flags) => {
      await withClient(flags, async (client) => {
        for (const s of await client.listSchedules())
          process.stdout.write(`${s.scheduleId}\t${s.summary}\t${s.next?.toISOString() ?? ''}\n`);
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
}
