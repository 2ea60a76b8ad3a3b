// Bench part "validate": `arazzo-temporal validate` (the bin from the built package, under plain node) against Redocly
// CLI's `redocly lint` (a dev dependency, run offline with its telemetry and update notice off) on the same
// documents: the batch-job seed alone, and 50 copies of it in one process. Wall time from spawn to exit and peak RSS,
// the median of a few runs each (after one untimed run of each: the OS file cache, and V8's code cache that
// bin/arazzo-temporal.js keeps, are warm as on any later run), and the CPU time of the same runs (user + system, less
// disturbed than wall time by other load on the machine). Goal (issue 17): faster than redocly lint per document, in
// both cases.
import { mkdirSync, mkdtempSync, copyFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, nodeCost, removeCostDir, type ChildCost } from './child-cost';
import { ensureBuilt } from './startup';

interface Cell {
  value?: number;
  error?: string;
  note?: string;
}
export interface PartApi {
  figure(
    id: string,
    metric: string,
    unit: string,
    target?: { text: string; max: number; inclusive?: boolean },
  ): { arazzo: Cell; reference: Cell; target?: { text: string; max: number; inclusive?: boolean }; details?: Record<string, unknown> };
  log(line: string): void;
  short(err: unknown): string;
}

const REDOCLY_ENV = {
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SDK_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  REDOCLY_SUPPRESS_NOTIFICATIONS: 'true',
};
const RUNS = 5;

export async function measureValidate(root: string, api: PartApi, copies = 50): Promise<string[]> {
  ensureBuilt(root, api.log);
  // the documents in a temp dir laid out like the project (arazzo/ next to openapi/), so their relative sources resolve
  const dir = mkdtempSync(join(tmpdir(), 'arazzo-bench-validate-'));
  try {
    mkdirSync(join(dir, 'arazzo'));
    symlinkSync(join(root, 'openapi'), join(dir, 'openapi'));
    const docs = Array.from({ length: copies }, (_, i) => `arazzo/batch-job-${i + 1}.arazzo.yaml`);
    for (const d of docs) copyFileSync(join(root, 'arazzo', 'openai-batch-job.arazzo.yaml'), join(dir, d));
    const arazzo = (files: string[]) =>
      nodeCost([join(root, 'bin', 'arazzo-temporal.js'), 'validate', ...files], dir, { ARAZZO_FROM_SOURCE: '0' });
    const redocly = (files: string[]) =>
      nodeCost([join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'), 'lint', ...files], dir, REDOCLY_ENV);
    for (const [label, files] of [
      ['1 document', docs.slice(0, 1)],
      [`${copies} documents`, docs],
    ] as const) {
      const wall = api.figure(`validateWall@${files.length}`, `validate ${label}: wall time (vs redocly lint)`, 'ms');
      const cpu = api.figure(`validateCpu@${files.length}`, `validate ${label}: CPU time, user + system (vs redocly lint)`, 'ms');
      const rss = api.figure(`validateRss@${files.length}`, `validate ${label}: peak RSS (vs redocly lint)`, 'MiB');
      const runs: Record<'arazzo' | 'reference', ChildCost[]> = { arazzo: [], reference: [] };
      try {
        await arazzo([...files]);
        await redocly([...files]);
        for (let i = 0; i < RUNS; i++) {
          runs.arazzo.push(await arazzo([...files]));
          runs.reference.push(await redocly([...files]));
        }
        for (const impl of ['arazzo', 'reference'] as const) {
          const failed = runs[impl].find((r) => r.code !== 0);
          if (failed)
            throw new Error(
              `${impl === 'arazzo' ? 'arazzo-temporal validate' : 'redocly lint'} exited ${failed.code}: ${failed.stderr.slice(-300)}`,
            );
          wall[impl].value = Math.round(median(runs[impl].map((r) => r.wallMs)));
          cpu[impl].value = Math.round(median(runs[impl].map((r) => r.cpuMs)));
          rss[impl].value = median(runs[impl].map((r) => r.peakRssMiB));
        }
        wall.target = { text: '< redocly lint', max: wall.reference.value! };
        cpu.target = { text: '< redocly lint', max: cpu.reference.value! };
        wall.details = {
          perDocumentMs: { arazzo: wall.arazzo.value! / files.length, reference: wall.reference.value! / files.length },
          runsMs: { arazzo: runs.arazzo.map((r) => Math.round(r.wallMs)), reference: runs.reference.map((r) => Math.round(r.wallMs)) },
        };
        cpu.details = {
          runsMs: { arazzo: runs.arazzo.map((r) => Math.round(r.cpuMs)), reference: runs.reference.map((r) => Math.round(r.cpuMs)) },
        };
        const perDoc = (ms: number) => (files.length > 1 ? ` (${(ms / files.length).toFixed(1)} ms a document)` : '');
        api.log(
          `validate ${label}: arazzo-temporal ${wall.arazzo.value} ms${perDoc(wall.arazzo.value!)}, CPU ${cpu.arazzo.value} ms, ${rss.arazzo.value} MiB | redocly lint ${wall.reference.value} ms${perDoc(wall.reference.value!)}, CPU ${cpu.reference.value} ms, ${rss.reference.value} MiB`,
        );
      } catch (err) {
        wall.arazzo.error = cpu.arazzo.error = rss.arazzo.error = api.short(err);
        api.log(`validate ${label} failed: ${api.short(err)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    removeCostDir();
  }
  return [
    `validate: \`arazzo-temporal validate\` (the bin, built package: dist/load/cli-bundle.js) against \`redocly lint\` (@redocly/cli, telemetry off, offline) on copies of arazzo/openai-batch-job.arazzo.yaml, every file named on one command line; one untimed run of each first, then the median of ${RUNS} runs, alternating; wall time from spawn to exit, CPU time = the child's user + system time (process.cpuUsage at exit), peak RSS = the child's VmHWM at exit. They check different things: arazzo-temporal reads the OpenAPI source description (openapi/openai-openapi-master.yml) and checks every operation, parameter, expression and criterion against it; redocly lint checks the Arazzo document against its rules.`,
  ];
}
