// run, start, result, cancel, resolve: a run's life from the command line.
import type { Command } from 'commander';
import {
  checkedBeforeConnecting,
  printJson,
  printNotes,
  printWarnings,
  reportBlobs,
  runRequest,
  UsageError,
  withClient,
  withConnection,
  withRunFlags,
  type ConnectionFlags,
  type RunFlags,
} from '../shared';

export function registerRun(program: Command): void {
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
        const { describeStatus, watchRun } = require('../progress') as typeof import('../progress');
        const result = await watchRun(client.client, started.handle, { show: flags.progress && !!process.stderr.isTTY });
        if (flags.blobs) await reportBlobs(result.outputs, flags.blobs);
        printNotes(result.notes);
        if (flags.json) printJson(result.outputs);
        else {
          process.stdout.write(
            `${started.workflowId} completed (${result.stepRuns} step runs, ${result.polls} polls inside activities${result.batchStatus ? `; batch ${describeStatus({ batchStatus: result.batchStatus, requestCounts: result.requestCounts })}` : ''})\n`,
          );
          printJson(result.outputs);
        }
      });
    });
}

export function registerStart(program: Command): void {
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
}

export function registerResultAndCancel(program: Command): void {
  withConnection(program.command('result <workflowId>'))
    .description('wait for a run and print its outputs')
    .option('--json', 'print only the outputs object, as JSON')
    .option('--blobs <dir>', 'write outputs that are too large for history (blob references) to files in <dir>')
    .action(
      async (workflowId: string, flags: { json?: boolean; blobs?: string; address?: string; namespace?: string; taskQueue?: string }) => {
        await withClient(flags, async (client) => {
          const result = await client.result(workflowId);
          if (flags.blobs) await reportBlobs(result.outputs, flags.blobs);
          if (flags.json) printNotes(result.notes);
          printJson(flags.json ? result.outputs : result);
        });
      },
    );

  withConnection(program.command('cancel <workflowId>'))
    .description("cancel a run; what its steps created is cancelled through each step's x-temporal-cancel operation")
    .action(async (workflowId: string, flags) => {
      await withClient(flags, async (client) => {
        await client.cancel(workflowId);
        process.stdout.write(`cancellation requested for ${workflowId}\n`);
      });
    });
}

export function registerResolve(program: Command): void {
  withConnection(program.command('resolve <workflowId>'))
    .description(
      'resolve a create step stopped with "outcome unknown" (its request may or may not have created something): --use-id names what it created, --resend sends it again; the run continues from that step',
    )
    .requiredOption('--step <stepId>', 'the step that waits (named in the outcome-unknown message and the progress query)')
    .option('--use-id <id>', 'the request created this object: the step is judged as if it had answered 200 with body {"id": <id>}')
    .option('--resend', 'the request created nothing: send it again')
    .action(async (workflowId: string, flags: ConnectionFlags & { step: string; useId?: string; resend?: boolean }) => {
      if ((flags.useId !== undefined) === !!flags.resend) throw new UsageError('resolve: give exactly one of --use-id <id> or --resend');
      await withClient(flags, async (client) => {
        const r = await client.resolve(workflowId, {
          stepId: flags.step,
          ...(flags.useId !== undefined ? { useId: flags.useId } : { resend: true }),
        });
        process.stdout.write(`step ${r.stepId} of ${workflowId} resolved (${r.resolution}); the run continues\n`);
      });
    });
}
