// A real stack for end-to-end tests: the Temporal dev server (CLI binary, SQLite in a temp dir), the
// provider simulator on a free port, and a worker in this process — or in a child process that a test
// can kill -9. Worker and activity logs are captured so tests can assert what they do not contain.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { maskingLogger } from '../../src/activities/secrets';
import { ArazzoClient } from '../../src/client';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';
import { PROJECT_ROOT, startDevServer, type DevServer, type DevServerOptions } from '../../src/temporal/dev-server';
import { startWorker, type WorkerHandle } from '../../src/worker';

/** The simulator and the tests' servers listen on loopback, which the outbound policy refuses unless allowed. */
process.env.ARAZZO_ALLOW_HOSTS ||= '127.0.0.1';

export const OPENAI_KEY = 'sk-test-openai-5f1c9a7e3b2d4c6a8e0f1a2b3c4d5e6f';
export const ANTHROPIC_KEY = 'fake-anthropic-key-1b2c3d4e5f6a7b8c9d0e';

/** Everything the worker and its activities logged in this process. */
export const workerLogs: string[] = [];
let runtimeInstalled = false;

function installCapturingRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // the same masking layer as the worker's own runtime (installRuntime), so tests see what a worker would log
  Runtime.install({
    logger: maskingLogger(
      new DefaultLogger('DEBUG', (entry: LogEntry) => {
        workerLogs.push(
          `${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {}, (_, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : v))}`,
        );
      }),
    ),
  });
}

export interface Stack {
  server: DevServer;
  simulator: Simulator;
  client: ArazzoClient;
  worker?: WorkerHandle;
  dataDir: string;
  /** fast polling for tests */
  poll: { initialIntervalMs: number; maxIntervalMs: number };
  stop(): Promise<void>;
}

export async function startStack(
  opts: {
    inProcessWorker?: boolean;
    timing?: 'fast' | 'demo';
    dynamicConfig?: DevServerOptions['dynamicConfig'];
    /** Only for tests that still rely on a simulator kinder than the providers (faithful by default). */
    simulator?: Pick<SimulatorOptions, 'honourIdempotencyKey'>;
    server?: Partial<DevServerOptions>;
  } = {},
): Promise<Stack> {
  installCapturingRuntime();
  process.env.OPENAI_API_KEY = OPENAI_KEY;
  process.env.ANTHROPIC_API_KEY = ANTHROPIC_KEY;
  // hermetic: plaintext payloads unless the test file set codec keys (a dev key in .data/ is not picked up)
  process.env.ARAZZO_CODEC_KEYS ||= 'none';
  const dataDir = mkdtempSync(join(tmpdir(), 'arazzo-e2e-'));
  const server = await startDevServer({
    port: 0,
    headless: true,
    dbFile: join(dataDir, 'temporal.db'),
    dynamicConfig: opts.dynamicConfig,
    ...opts.server,
  });
  const simulator = await startSimulator({
    port: 0,
    timing: opts.timing ?? 'fast',
    apiKeys: [OPENAI_KEY, ANTHROPIC_KEY],
    ...opts.simulator,
  });
  const worker = opts.inProcessWorker === false ? undefined : await startWorker({ address: server.address });
  const client = await ArazzoClient.connect({ address: server.address });
  return {
    server,
    simulator,
    client,
    worker,
    dataDir,
    poll: { initialIntervalMs: 200, maxIntervalMs: 1000 },
    async stop() {
      await client.close();
      await worker?.stop();
      await simulator.close();
      await server.stop();
    },
  };
}

/** A worker in its own process (the real CLI), for tests that kill it; `args` and `env` added. Resolves once it polls. */
export function spawnWorker(
  address: string,
  extra: { args?: string[]; env?: Record<string, string> } = {},
): Promise<ChildProcess & { output: string[] }> {
  const args = [join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js'), 'worker', '--address', address, ...(extra.args ?? [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, OPENAI_API_KEY, ANTHROPIC_API_KEY, ...extra.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: string[] };
  child.output = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      child.output.push(chunk.toString());
      if (chunk.toString().includes('worker running')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => child.output.push(c.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${child.output.join('')}`)));
    setTimeout(() => reject(new Error(`worker did not start in 60 s: ${child.output.join('')}`)), 60_000).unref();
  });
}

const OPENAI_API_KEY = OPENAI_KEY;
const ANTHROPIC_API_KEY = ANTHROPIC_KEY;

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
