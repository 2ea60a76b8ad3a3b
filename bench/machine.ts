// The machine and the versions a bench run measured on, for bench/results.json: figures from a loaded 2-CPU box
// and a quiet 16-CPU one are not comparable, and neither are two SDK versions.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, findTemporalCli } from '../src/temporal/dev-server';

const round2 = (x: number) => Math.round(x * 100) / 100;

function packageVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function temporalCliVersion(): string | undefined {
  const cli = findTemporalCli();
  if (!cli) return undefined;
  try {
    return execFileSync(cli, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function machine(loadAtStart: number[]) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryMiB: Math.round(totalmem() / 1024 / 1024),
    platform: process.platform,
    loadAverageAtStart: loadAtStart.map(round2),
    loadAverageAtEnd: loadavg().map(round2),
  };
}

export function versions() {
  return {
    node: process.version,
    temporalSdk: packageVersion('@temporalio/worker'),
    temporalCli: temporalCliVersion(),
    arazzoTemporal: packageVersion('../'),
  };
}
