// What one command costs as its own process: wall time from spawn to exit, and its peak RSS (VmHWM, read in the
// child by a --require hook at exit, so no sampling misses the peak). Shared by the startup and validate
// bench parts.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildCost {
  code: number | null;
  wallMs: number;
  peakRssMiB: number;
  /** user + system CPU time of the child (process.cpuUsage at exit): less disturbed by other load than wall time */
  cpuMs: number;
  stdout: string;
  stderr: string;
}

const dir = mkdtempSync(join(tmpdir(), 'arazzo-bench-cost-'));
const HOOK = join(dir, 'peak-rss.cjs');
// VmHWM, not getrusage's maxRSS: Linux carries the parent's maxRSS over fork and exec, so a child would report at
// least the bench process's own RSS
const hook = () => {
  const fs = require('node:fs');
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  const cpu = process.cpuUsage();
  fs.writeFileSync(process.env.BENCH_PEAK_RSS_FILE, `${hwm ? hwm[1] : process.resourceUsage().maxRSS} ${(cpu.user + cpu.system) / 1000}`);
};
writeFileSync(HOOK, `process.on('exit', ${hook.toString()});\n`);
let n = 0;

/** `node [nodeArgs] script args` in `cwd`, to its exit. */
export function nodeCost(nodeArgs: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<ChildCost> {
  const rssFile = join(dir, `rss-${n++}`);
  const began = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--require', HOOK, ...nodeArgs], {
    cwd,
    env: { ...process.env, ...env, BENCH_PEAK_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - began) / 1e6;
      let [kb, cpuMs] = [NaN, NaN];
      try {
        [kb, cpuMs] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
      } catch {
        /* the child died before its exit handler ran */
      }
      resolve({ code, wallMs, peakRssMiB: Math.round((kb / 1024) * 10) / 10, cpuMs, stdout, stderr });
    });
  });
}

export function removeCostDir(): void {
  rmSync(dir, { recursive: true, force: true });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
