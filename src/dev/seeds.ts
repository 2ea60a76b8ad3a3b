// The five seeds with demo inputs, aimed at a simulator: the four user documents and our Bifrost document (once per
// style, through the simulator's Bifrost gateway). Used by `dev --run-seeds` (npm start) and by the end-to-end tests,
// so both run exactly the same thing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArazzoClient, ArazzoRunResult, RunRequest } from '../client';
import { PROJECT_ROOT } from '../temporal/dev-server';

export const ARAZZO_DIR = join(PROJECT_ROOT, 'arazzo');
export const INPUTS_DIR = join(PROJECT_ROOT, 'examples', 'inputs');
export const OVERLAYS_DIR = join(PROJECT_ROOT, 'overlays');

/** Our overlay of a seed (cancel operations, reconcile lookups), when it has one: the seed itself stays as the user wrote it. */
export function seedOverlays(name: string): string[] {
  const file = join(OVERLAYS_DIR, `${name}.overlay.yaml`);
  return existsSync(file) ? [file] : [];
}

export interface SeedRun {
  name: string;
  request: RunRequest;
}

function inputs(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(INPUTS_DIR, `${name}.json`), 'utf8'));
}

/** Every source of the seeds pointed at the simulator: OpenAI and Anthropic both live under /v1 there, Bifrost under /bifrost. */
export function simulatorServers(simulatorUrl: string): Record<string, string> {
  return { openaiApi: `${simulatorUrl}/v1`, messageBatchesApi: `${simulatorUrl}/v1`, bifrostApi: `${simulatorUrl}/bifrost` };
}

/** The Bifrost seed's two runs: its name in the results, and its inputs file (examples/inputs/bifrost-batch-<style>.json). */
export const BIFROST_STYLES = ['openai', 'anthropic'] as const;
export const bifrostRunName = (style: string) => `bifrost-batch (${style} style)`;

function seed(name: string, simulatorUrl: string, extra: Record<string, unknown> = {}, overrides: Partial<RunRequest> = {}): SeedRun {
  const style = /^bifrost-batch \((\w+) style\)$/.exec(name)?.[1];
  const file = style ? 'bifrost-batch' : name;
  const servers = simulatorServers(simulatorUrl);
  const sourceNames = style ? ['bifrostApi'] : name.startsWith('anthropic') ? ['messageBatchesApi'] : ['openaiApi'];
  return {
    name,
    request: {
      document: join(ARAZZO_DIR, `${file}.arazzo.yaml`),
      inputs: { ...inputs(style ? `bifrost-batch-${style}` : name), ...extra },
      servers: Object.fromEntries(sourceNames.map((n) => [n, servers[n]])),
      overlays: seedOverlays(file),
      ...overrides,
    },
  };
}

export interface SeedResult {
  name: string;
  workflowId: string;
  result?: ArazzoRunResult;
  error?: unknown;
}

/**
 * Run the seeds: the batch job, the Anthropic batch, the fine-tuning job and the Bifrost batch in both styles at once,
 * then the batch results download with the batch id the batch job returned.
 */
export async function runSeeds(
  client: ArazzoClient,
  simulatorUrl: string,
  onDone: (r: SeedResult) => void = () => undefined,
  overrides: Partial<RunRequest> = {},
  onStart: (name: string, workflowId: string) => void = () => undefined,
): Promise<SeedResult[]> {
  const runOne = async (s: SeedRun): Promise<SeedResult> => {
    const started = await client.start({ ...s.request, ...overrides });
    onStart(s.name, started.workflowId);
    let out: SeedResult;
    try {
      out = { name: s.name, workflowId: started.workflowId, result: await started.handle.result() };
    } catch (error) {
      out = { name: s.name, workflowId: started.workflowId, error };
    }
    onDone(out);
    return out;
  };
  const [batch, ...others] = await Promise.all(
    ['openai-batch-job', 'anthropic-batch-create-poll-results', 'openai-fine-tuning-job', ...BIFROST_STYLES.map(bifrostRunName)].map((n) =>
      runOne(seed(n, simulatorUrl)),
    ),
  );
  const batchId = batch.result?.outputs.batchId;
  const download = batchId
    ? await runOne(seed('openai-download-batch-results', simulatorUrl, { batchId }))
    : { name: 'openai-download-batch-results', workflowId: '-', error: new Error('skipped: the batch job returned no batchId') };
  return [batch, download, ...others];
}

/** Every run's normalized status and request counts (x-temporal-status), in one table; `-` where a run has none. */
export function statusTable(results: SeedResult[]): string {
  const rows = results.map((r) => {
    const c = r.result?.requestCounts;
    const status = r.result ? (r.result.batchStatus ?? '-') : 'run failed';
    return [r.name, status, ...(c ? [c.total, c.completed, c.failed].map(String) : ['-', '-', '-'])];
  });
  const all = [['run', 'batchStatus', 'total', 'completed', 'failed'], ...rows];
  const widths = all[0].map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return (
    all
      .map((row) =>
        row
          .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
