// The real `arazzo-temporal` command in a child process, as a user runs it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js'), ...args], { cwd: PROJECT_ROOT, env: process.env, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
