// npm run smoke:live — runs two seed documents against the real providers with a tiny input, to check that what
// the simulator imitates is what the APIs do:
//   arazzo/openai-batch-job.arazzo.yaml                   (OPENAI_API_KEY): one chat request in a batch
//   arazzo/anthropic-batch-create-poll-results.arazzo.yaml (ANTHROPIC_API_KEY): one message in a message batch
// A seed whose key is not set is skipped, and the script says so. Each run has a deadline (SMOKE_TIMEOUT, default
// 30m; a batch may take up to 24 h): past it the run is cancelled, which cancels the provider's batch too
// (x-temporal-cancel). A Temporal dev server (free port, temporary SQLite file) and a worker run in this process.
// SMOKE_OPENAI_URL / SMOKE_ANTHROPIC_URL replace the documents' servers (e.g. a proxy, or the simulator to try the
// script itself: `npx arazzo-temporal simulator --port 0`, then SMOKE_OPENAI_URL and SMOKE_ANTHROPIC_URL both
// http://127.0.0.1:PORT/v1, as the two descriptions declare their servers with /v1).
// SMOKE_POLL_FAST=1 polls every 200–500 ms (for the simulator).
// Cost: one request of a few dozen tokens each at batch prices (half the normal price) — well under one cent.
// Not part of npm test. Exit code: 0 when every seed that ran completed (or none could run), 1 otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ArazzoClient, failureMessage, type RunRequest } from '../src/client';
import { parseDuration } from '../src/core/durations';
import { PROJECT_ROOT, startDevServer } from '../src/temporal/dev-server';
import { startWorker } from '../src/worker';

const OPENAI_MODEL = process.env.SMOKE_OPENAI_MODEL ?? 'gpt-4o-mini';
const ANTHROPIC_MODEL = process.env.SMOKE_ANTHROPIC_MODEL ?? 'claude-haiku-4-5';

interface Smoke {
  name: string;
  key: 'OPENAI_API_KEY' | 'ANTHROPIC_API_KEY';
  request: RunRequest;
}

const servers = (source: string, url: string | undefined) => (url ? { servers: { [source]: url } } : {});

const doc = (name: string) => join(PROJECT_ROOT, 'arazzo', `${name}.arazzo.yaml`);

// Inputs the real APIs accept: a .jsonl batch file (the engine names the part input.jsonl) whose line has a
// unique custom_id, method POST, the batch's endpoint as url and a body.model; a custom_id matching
// ^[a-zA-Z0-9_-]{1,64}$ for Anthropic.
const SMOKES: Smoke[] = [
  {
    name: 'openai-batch-job',
    key: 'OPENAI_API_KEY',
    request: {
      ...servers('openaiApi', process.env.SMOKE_OPENAI_URL),
      document: doc('openai-batch-job'),
      inputs: {
        apiKey: { $secret: 'OPENAI_API_KEY' },
        endpoint: '/v1/chat/completions',
        batchInputFile:
          JSON.stringify({
            custom_id: 'smoke-1',
            method: 'POST',
            url: '/v1/chat/completions',
            body: { model: OPENAI_MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'Reply with the word ok.' }] },
          }) + '\n',
      },
    },
  },
  {
    name: 'anthropic-batch-create-poll-results',
    key: 'ANTHROPIC_API_KEY',
    request: {
      ...servers('messageBatchesApi', process.env.SMOKE_ANTHROPIC_URL),
      document: doc('anthropic-batch-create-poll-results'),
      inputs: {
        apiKey: { $secret: 'ANTHROPIC_API_KEY' },
        model: ANTHROPIC_MODEL,
        requests: [{ custom_id: 'smoke-1', params: { model: ANTHROPIC_MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Reply with the word ok.' }] } }],
      },
    },
  },
];

async function main(): Promise<number> {
  const runnable = SMOKES.filter((s) => process.env[s.key]);
  for (const s of SMOKES.filter((x) => !process.env[x.key])) {
    process.stdout.write(`smoke:live: skipped ${s.name}: ${s.key} is not set (export it to run this seed against the real API)\n`);
  }
  if (runnable.length === 0) {
    process.stdout.write('smoke:live: nothing to run, no provider key is set; this check talks to the real APIs only when one is\n');
    return 0;
  }
  const timeoutMs = parseDuration(process.env.SMOKE_TIMEOUT ?? '30m');
  if (timeoutMs === undefined || timeoutMs <= 0) throw new Error(`SMOKE_TIMEOUT: not a duration: ${process.env.SMOKE_TIMEOUT}`);
  // one line per worker warning (retries, refused cancels), without stacks
  Runtime.install({ logger: new DefaultLogger('WARN', (e) => process.stderr.write(`  [${e.level}] ${e.message}${e.meta?.error ? `: ${(e.meta.error as Error).message}` : ''}\n`)) });
  const dataDir = mkdtempSync(join(tmpdir(), 'arazzo-smoke-'));
  const server = await startDevServer({ port: 0, headless: true, dbFile: join(dataDir, 'temporal.db') });
  // the outbound policy refuses loopback: a SMOKE_*_URL on this machine (the simulator) must be allowed by name
  const allowHosts = [process.env.SMOKE_OPENAI_URL, process.env.SMOKE_ANTHROPIC_URL].filter((u): u is string => !!u).map((u) => new URL(u).hostname);
  const worker = await startWorker({ address: server.address, allowHosts });
  const client = await ArazzoClient.connect({ address: server.address });
  let failed = 0;
  try {
    await Promise.all(
      runnable.map(async (s) => {
        // polls every 10 s to 2 min: a real batch takes minutes; polls are free but count against the rate limits
        const poll = process.env.SMOKE_POLL_FAST ? { initialIntervalMs: 200, maxIntervalMs: 500 } : { initialIntervalMs: 10_000, maxIntervalMs: 120_000 };
        const started = await client.start({ ...s.request, poll });
        process.stdout.write(`smoke:live: ${s.name} started as ${started.workflowId} (deadline ${process.env.SMOKE_TIMEOUT ?? '30m'})\n`);
        let late = false;
        const timer = setTimeout(() => {
          late = true;
          void client.cancel(started.workflowId).catch(() => undefined);
        }, timeoutMs);
        try {
          const result = await started.handle.result();
          for (const note of result.notes ?? []) process.stdout.write(`smoke:live: ${s.name}: note: ${note}\n`);
          process.stdout.write(`smoke:live: ${s.name} completed: ${JSON.stringify(result.outputs).slice(0, 2000)}\n`);
        } catch (err) {
          failed++;
          const why = late ? `not done within SMOKE_TIMEOUT, so the run (and the provider's batch) was cancelled` : failureMessage(err);
          process.stdout.write(`smoke:live: ${s.name} FAILED: ${why}\n`);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  } finally {
    await client.close();
    await worker.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`smoke:live: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  },
);
