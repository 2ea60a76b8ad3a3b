// status, watch, list: what runs are doing and where they are, from the command line.
import type { Command } from 'commander';
import { formatStatus } from '../../core/run-status';
import { maskSecrets } from '../../core/mask';
import { EXECUTION_STATUSES } from '../../core/execution-statuses';
import type { ListedRun } from '../../status-client';
import { printJson, UsageError, withClient, withConnection, type ConnectionFlags } from '../shared';
import type { ArazzoClient } from '../../client';

// loaded when a command runs: they load @temporalio/* (protobufs: ~100 ms), which validate and graph never need
const statusClient = () => require('../../status-client') as typeof import('../../status-client');

/** The watch view on any run until it ends; a run that failed exits 1 with its message. */
async function watch(client: ArazzoClient, workflowId: string, flags: { plain?: boolean; interval?: string }): Promise<void> {
  const intervalMs = flags.interval === undefined ? 1000 : Number(flags.interval);
  if (!Number.isFinite(intervalMs) || intervalMs < 100)
    throw new UsageError(`--interval: expected milliseconds (at least 100), got "${flags.interval}"`);
  const handle = client.handle(workflowId);
  await handle.describe(); // an unknown id fails here, not after a first tick
  const { watchRun } = require('../progress') as typeof import('../progress');
  const result = await watchRun(client.client, handle, { show: true, plain: flags.plain, intervalMs });
  const s = await statusClient().runStatus(client.client, workflowId);
  process.stdout.write(
    maskSecrets(`${workflowId} completed (${result.stepRuns} step runs, ${result.polls} polls)\n${formatStatus(s, Date.now())}`),
  );
}

function table(runs: ListedRun[]): string {
  const rows = [
    ['workflow id', 'status', 'document', 'workflow', 'step', 'batch', 'started'],
    ...runs.map((r) => [
      r.workflowId,
      r.status.toLowerCase(),
      r.document ?? '-',
      r.workflow ?? '-',
      r.step ?? '-',
      r.batchStatus ?? '-',
      r.startTime,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return (
    rows
      .map((row) =>
        row
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function registerStatus(program: Command): void {
  withConnection(program.command('status <workflowId>'))
    .description(
      "a run's live status: its step, the batch's normalized and provider status, request counts, polls so far, the next poll, the last transient error",
    )
    .option('--json', 'print the status record as JSON')
    .option('--watch', 'show the progress view until the run ends (as `watch`)')
    .action(async (workflowId: string, flags: ConnectionFlags & { json?: boolean; watch?: boolean }) => {
      await withClient(flags, async (client) => {
        if (flags.watch) return watch(client, workflowId, {});
        const s = await statusClient().runStatus(client.client, workflowId);
        if (flags.json) printJson(s);
        else process.stdout.write(maskSecrets(formatStatus(s, Date.now())));
      });
    });

  withConnection(program.command('watch <workflowId>'))
    .description(
      "attach the `run` progress view to any run until it ends: a bar of the batch's requests (or steps), the provider status, the next poll",
    )
    .option('--plain', 'plain lines, one per change, even on a terminal (the default off a terminal)')
    .option('--interval <ms>', 'how often to read the status (default 1000)')
    .action(async (workflowId: string, flags: ConnectionFlags & { plain?: boolean; interval?: string }) => {
      await withClient(flags, (client) => watch(client, workflowId, flags));
    });

  withConnection(program.command('list'))
    .description('list runs by the search attributes ArazzoDocument, ArazzoWorkflow, ArazzoStep, BatchStatus and their execution status')
    .option('--document <file>', 'runs of this document (its file name; a path is reduced to it)')
    .option('--workflow <workflowId>', 'runs of this Arazzo workflow')
    .option('--step <stepId>', 'runs at this step')
    .option('--status <status>', `execution status: ${Object.keys(EXECUTION_STATUSES).join('|')}`)
    .option('--batch-status <status>', 'normalized batch status (BatchStatus), e.g. in_progress')
    .option('--limit <n>', 'at most this many runs (default 100)')
    .option('--json', 'print the runs as JSON')
    .action(
      async (
        flags: ConnectionFlags & {
          document?: string;
          workflow?: string;
          step?: string;
          status?: string;
          batchStatus?: string;
          limit?: string;
          json?: boolean;
        },
      ) => {
        if (flags.status && !EXECUTION_STATUSES[flags.status.toLowerCase()])
          throw new UsageError(`--status: expected one of ${Object.keys(EXECUTION_STATUSES).join(', ')}, got "${flags.status}"`);
        const limit = flags.limit === undefined ? 100 : Number(flags.limit);
        if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit: expected a positive integer, got "${flags.limit}"`);
        await withClient(flags, async (client) => {
          const runs = await statusClient().listRuns(client.client, flags, limit);
          if (flags.json) printJson(runs);
          else process.stdout.write(runs.length ? table(runs) : 'no runs match\n');
        });
      },
    );
}
