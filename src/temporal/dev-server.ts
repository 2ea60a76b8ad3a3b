// Launch the embedded Temporal dev server (real server, SQLite persistence, Web UI) from the CLI binary
// the project installs in .tools/bin. Online machines without it fall back to the SDK's download.
import type { ChildProcess } from 'node:child_process';
import { spawnOwned } from './children';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

export interface DevServerOptions {
  /** SQLite file; runs survive a restart on the same file (default .data/temporal.db) */
  dbFile?: string;
  ip?: string;
  /** gRPC port; 0 picks a free one (default 7233) */
  port?: number;
  /** Web UI port (default port + 1000); ignored when headless */
  uiPort?: number;
  headless?: boolean;
  /** the codec server the Web UI decodes payloads with (--ui-codec-endpoint) */
  uiCodecEndpoint?: string;
  namespace?: string;
  /** where the server's own output goes (default: discarded) */
  log?: (line: string) => void;
  /** dynamic config values, e.g. { 'history.timerProcessorMaxTimeShift': '10ms' } (benchmarks) */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** register the run's search attributes (ArazzoDocument, …; src/core/search-attributes.ts) at start (default true) */
  searchAttributes?: boolean;
}

function dynamicConfigArgs(values: DevServerOptions['dynamicConfig'] = {}): string[] {
  return Object.entries(values).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}

function extraArgs(opts: DevServerOptions): string[] {
  const codec = opts.uiCodecEndpoint && !opts.headless ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : [];
  const attributes =
    opts.searchAttributes === false ? [] : SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
  return [...codec, ...attributes, ...dynamicConfigArgs(opts.dynamicConfig)];
}

export interface DevServer {
  address: string;
  port: number;
  uiUrl?: string;
  dbFile: string;
  stop(): Promise<void>;
  /** the server process, for tests that kill it */
  process?: ChildProcess;
}

/** Where the Temporal CLI is: TEMPORAL_CLI_PATH, then .tools/bin/temporal, then PATH. */
export function findTemporalCli(): string | undefined {
  const candidates = [process.env.TEMPORAL_CLI_PATH, join(PROJECT_ROOT, '.tools', 'bin', 'temporal')].filter(Boolean) as string[];
  const found = candidates.find((c) => existsSync(c));
  if (found) return found;
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'temporal'))) return join(dir, 'temporal');
  return undefined;
}

export function findTestServer(): string | undefined {
  const candidates = [process.env.TEMPORAL_TEST_SERVER_PATH, join(PROJECT_ROOT, '.tools', 'bin', 'temporal-test-server')].filter(
    Boolean,
  ) as string[];
  return candidates.find((c) => existsSync(c));
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return (await freePorts(1, host))[0];
}

/**
 * `n` distinct free ports: each is held until all are picked (ports asked for one after another can come back the
 * same, since a closed port is free again at once).
 */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((res, rej) => {
          const srv = createServer();
          srv.once('error', rej);
          srv.listen(0, host, () => res(srv));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  return ports;
}

/** Wait until the frontend answers a real RPC, not just until the port is open. */
export async function waitForServer(address: string, timeoutMs = 60_000, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the Temporal server at ${address} exited before it was ready`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal server at ${address} did not become ready in ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  // A port picked free (port 0) can be taken by someone else before the server binds it, and the server's
  // own random ports (HTTP, metrics) can collide too: a server that exits at start is tried again.
  const attempts = opts.port === 0 ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= attempts || !(err instanceof ServerExitedError)) throw err;
    }
  }
}

class ServerExitedError extends Error {}

async function startOnce(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port === 0 ? await freePort(ip) : (opts.port ?? 7233);
  const uiPort = opts.uiPort ?? port + 1000;
  const dbFile = resolve(opts.dbFile ?? join(PROJECT_ROOT, '.data', 'temporal.db'));
  mkdirSync(dirname(dbFile), { recursive: true });
  const cli = findTemporalCli();
  if (!cli) return startWithSdkDownload({ ...opts, port, uiPort, dbFile });

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--db-filename', dbFile, '--log-level', 'warn'];
  args.push(...(opts.headless ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  args.push(...extraArgs(opts));

  // owned: ended with this process, however it exits (no orphan server keeps the port)
  const child = spawnOwned(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  const tail: string[] = [];
  const forward = (chunk: Buffer) => {
    const text = chunk.toString().trimEnd();
    tail.push(text);
    if (tail.length > 20) tail.shift();
    opts.log?.(text);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  let exited = false;
  const exitedPromise = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  const address = `${ip}:${port}`;
  try {
    await waitForServer(address, 90_000, () => !exited);
  } catch (err) {
    child.kill('SIGKILL');
    if (exited) throw new ServerExitedError(`${(err as Error).message}; its last output: ${tail.join('\n').slice(-2000) || '(none)'}`);
    throw err;
  }
  return {
    address,
    port,
    uiUrl: opts.headless ? undefined : `http://${ip}:${uiPort}`,
    dbFile,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

/** For online machines without the CLI: the SDK downloads the dev server (fails offline). */
async function startWithSdkDownload(opts: DevServerOptions & { port: number; uiPort: number; dbFile: string }): Promise<DevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: opts.ip ?? '127.0.0.1',
      port: opts.port,
      ui: !opts.headless,
      uiPort: opts.headless ? undefined : opts.uiPort,
      dbFilename: opts.dbFile,
      namespace: opts.namespace,
      extraArgs: extraArgs(opts),
    },
  });
  return {
    address: env.address,
    port: opts.port,
    uiUrl: opts.headless ? undefined : `http://${opts.ip ?? '127.0.0.1'}:${opts.uiPort}`,
    dbFile: opts.dbFile,
    stop: () => env.teardown(),
  };
}
