// Child processes that never outlive their parent. Every child is killed when this process exits for any
// reason: a normal exit, a signal (SIGINT, SIGTERM, SIGHUP), or a crash. On Linux the child is also started
// under `setpriv --pdeathsig SIGTERM`, so the kernel ends it even when this process is killed with SIGKILL.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

const owned = new Set<ChildProcess>();
const SETPRIV = '/usr/bin/setpriv';
let hooked = false;

function killAll(signal: NodeJS.Signals): void {
  for (const child of owned) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' runs on process.exit(), at the end of the event loop and after an uncaught exception
  process.on('exit', () => killAll('SIGTERM'));
}

/** Spawn a child that is ended with this process. */
export function spawnOwned(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  hookExit();
  const wrap = process.platform === 'linux' && existsSync(SETPRIV);
  const child = wrap ? spawn(SETPRIV, ['--pdeathsig', 'SIGTERM', '--', command, ...args], options) : spawn(command, args, options);
  owned.add(child);
  child.once('exit', () => owned.delete(child));
  return child;
}

export interface ShutdownOptions {
  /** the graceful stop: workers, servers, children */
  stop: () => Promise<void>;
  /** how long the graceful stop may take before the children are killed (default 15 s) */
  graceMs?: number;
  log?: (line: string) => void;
}

/**
 * Stop gracefully on SIGINT, SIGTERM and SIGHUP, and on a crash (an uncaught exception or unhandled
 * rejection): run `stop`, then exit (0 after a signal, 1 after a crash). A second signal, or a stop that takes
 * longer than the grace period, kills the children at once.
 */
export function stopOnSignals(opts: ShutdownOptions): void {
  hookExit();
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  let stopping = false;
  const shutdown = (code: number, why: string) => {
    if (stopping) {
      killAll('SIGKILL');
      process.exit(code || 1);
    }
    stopping = true;
    log(why);
    const timer = setTimeout(() => {
      log(`stopping took longer than ${opts.graceMs ?? 15_000} ms; killing the child processes`);
      killAll('SIGKILL');
      process.exit(code || 1);
    }, opts.graceMs ?? 15_000);
    timer.unref();
    opts.stop().then(
      () => process.exit(code),
      (err) => {
        log(`error while stopping: ${(err as Error)?.message ?? String(err)}`);
        process.exit(code || 1);
      },
    );
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => shutdown(0, `${sig}: stopping…`));
  const crash = (err: unknown) => shutdown(1, `fatal: ${(err as Error)?.stack ?? String(err)}`);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
