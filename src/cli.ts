// arazzo-temporal: the command line. Every command is a thin layer over the client library; each lives in
// src/cli/commands/ (run: run/start/result/cancel/resolve; validate: validate/graph; schedule; serve:
// worker/simulator/codec-server/dev) and src/cli/events.ts (webhooks).
import { Command } from 'commander';
import { DocumentError } from './core/diagnostics';
import { maskSecrets } from './core/mask';
import { registerEventCommands } from './cli/events';
import { registerResolve, registerResultAndCancel, registerRun, registerStart } from './cli/commands/run';
import { registerGraph, registerValidate } from './cli/commands/validate';
import { registerSchedule } from './cli/commands/schedule';
import { registerStatus } from './cli/commands/status';
import { registerCodecServer, registerDev, registerSimulator, registerWorker } from './cli/commands/serve';
import { SilentFailure, UsageError, withConnection } from './cli/shared';

export function buildProgram(): Command {
  const program = new Command('arazzo-temporal')
    .description('Run Arazzo workflows durably on Temporal: every step an activity, loops on durable timers, secrets kept out of history.')
    .showHelpAfterError()
    .exitOverride();

  for (const register of [
    registerRun,
    registerStart,
    registerResultAndCancel,
    registerResolve,
    registerStatus,
    registerValidate,
    registerGraph,
    registerSchedule,
    registerWorker,
    registerSimulator,
  ])
    register(program);
  registerEventCommands(program, withConnection);
  registerCodecServer(program);
  registerDev(program);
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
    // the client (and @temporalio/client) is loaded only here: `validate` must not pay for it
    else process.stderr.write(maskSecrets(`error: ${(require('./client') as typeof import('./client')).failureMessage(err)}\n`));
    return err instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
