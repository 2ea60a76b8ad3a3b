// The package as a user gets it: `npm pack`, the tarball installed into an empty project (offline: `npm ci` from
// npm's cache, with a lock made of this project's lock entries for the production dependencies), then a script of
// that project imports the client and the worker by the package's names only, starts a worker from the package and
// runs the batch-job seed (the document, inputs and overlay the package ships) against the simulator on a dev server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { OPENAI_KEY, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let dir: string;
let consumer: string;
let tarball: string;

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });

function newest(path: string, ext: string): number {
  if (!statSync(path).isDirectory()) return path.endsWith(ext) ? statSync(path).mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((e) => newest(join(path, e), ext)));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: consumer, env: { ...process.env, ...env }, timeout: 180_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The consumer's lock: the tarball, and this project's production entries (same paths: npm hoists them alike). */
function consumerLock(version: string): { pkg: object; lock: object } {
  const own = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8'));
  const file = `file:${tarball}`;
  // the project's override (protobufjs) is its own root's: a consumer who wants the same tree states it too
  const pkg = {
    name: 'consumer',
    version: '1.0.0',
    private: true,
    dependencies: { 'arazzo-temporal': file },
    overrides: own.overrides && { protobufjs: lock.packages['node_modules/protobufjs'].version },
  };
  const packages: Record<string, unknown> = { '': { name: 'consumer', version: '1.0.0', dependencies: pkg.dependencies } };
  packages['node_modules/arazzo-temporal'] = {
    version,
    resolved: file,
    license: own.license,
    dependencies: own.dependencies,
    bin: own.bin,
    engines: own.engines,
    hasInstallScript: true,
  };
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean; link?: boolean }>))
    if (path && !entry.dev && !entry.link) packages[path] = entry;
  return { pkg, lock: { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages } };
}

before(async () => {
  // what `npm run build` leaves; built now when dist/ is missing or older than src/
  const built = join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
  if (!existsSync(built) || newest(join(PROJECT_ROOT, 'src'), '.ts') > statSync(join(PROJECT_ROOT, 'dist', 'cli.js')).mtimeMs)
    npm(['run', 'build'], PROJECT_ROOT);
  dir = mkdtempSync(join(tmpdir(), 'arazzo-package-'));
  consumer = join(dir, 'consumer');
  mkdirSync(consumer);
  // --ignore-scripts: prepare would build again
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], PROJECT_ROOT)) as {
    filename: string;
    version: string;
    files: { path: string }[];
  }[];
  tarball = join(dir, packed[0].filename);
  writeFileSync(join(dir, 'files.json'), JSON.stringify(packed[0].files.map((f) => f.path)));
  const { pkg, lock } = consumerLock(packed[0].version);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(lock, null, 2));
  // --ignore-scripts: the package's postinstall would download the Temporal CLI, which this test does not need
  npm(['ci', '--offline', '--ignore-scripts'], consumer);
  stack = await startStack({ inProcessWorker: false });
});

after(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the tarball holds the built package: JavaScript with declarations and the prebuilt bundle, no TypeScript sources or tests', () => {
  const files = JSON.parse(readFileSync(join(dir, 'files.json'), 'utf8')) as string[];
  for (const f of [
    'dist/client.js',
    'dist/client.d.ts',
    'dist/worker.js',
    'dist/worker.d.ts',
    'dist/workflows/index.js',
    'dist/cli.js',
    'dist/workflow-bundle.js',
    'dist/workflow-bundle-otel.js',
    'bin/arazzo-temporal.js',
    'schemas/arazzo-1.0.schema.json',
  ])
    assert.ok(files.includes(f), `${f} is in the tarball`);
  assert.deepEqual(
    files.filter((f) => /^(src|test|bench)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
    [],
  );
});

test('a project that installed the tarball runs the batch-job seed with the client and a worker from the package', async () => {
  const script = `
const { ArazzoClient, validate } = require('arazzo-temporal');
const { startWorker, installRuntime } = require('arazzo-temporal/worker');
const { join, dirname } = require('node:path');
const root = dirname(require.resolve('arazzo-temporal/package.json'));
const [address, simulator] = process.argv.slice(2);
(async () => {
  installRuntime('WARN');
  const document = join(root, 'arazzo', 'openai-batch-job.arazzo.yaml');
  const checked = await validate(document);
  if (!checked.valid) throw new Error('not valid: ' + JSON.stringify(checked.diagnostics));
  const worker = await startWorker({ address, taskQueue: 'package-e2e' });
  const client = await ArazzoClient.connect({ address, taskQueue: 'package-e2e' });
  try {
    const inputs = require(join(root, 'examples', 'inputs', 'openai-batch-job.json'));
    const result = await client.run({ document, inputs, servers: { openaiApi: simulator + '/v1' }, overlays: [join(root, 'overlays', 'openai-batch-job.overlay.yaml')], poll: { initialIntervalMs: 200, maxIntervalMs: 1000 } });
    console.log(JSON.stringify({ workflowsPath: require.resolve('arazzo-temporal/workflows'), outputs: result.outputs }));
  } finally {
    await client.close();
    await worker.stop();
  }
})().catch((err) => { console.error(err); process.exit(1); });
`;
  writeFileSync(join(consumer, 'run.js'), script);
  const env = { OPENAI_API_KEY: OPENAI_KEY, ARAZZO_ALLOW_HOSTS: '127.0.0.1', ARAZZO_CODEC_KEYS: 'none' };
  const r = await run(process.execPath, ['run.js', stack.server.address, stack.simulator.url], env);
  assert.equal(r.code, 0, r.stderr);
  const { workflowsPath, outputs } = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(workflowsPath, join(consumer, 'node_modules', 'arazzo-temporal', 'dist', 'workflows', 'index.js'));
  assert.match(outputs.batchId, /^batch_/);
  assert.match(outputs.outputFileId, /^file-/);
  const batch = stack.simulator.state.batches().find((b: { id: string }) => b.id === outputs.batchId) as { status: string } | undefined;
  assert.equal(batch?.status, 'completed');
  // the worker loaded dist/workflow-bundle.js: it did not bundle at start
  assert.doesNotMatch(r.stderr, /bundling the workflow code at start/);
});

test("the package's bin runs the built CLI under plain node", async () => {
  const bin = join(consumer, 'node_modules', '.bin', 'arazzo-temporal');
  const ok = await run(bin, ['validate', join(consumer, 'node_modules', 'arazzo-temporal', 'arazzo', 'openai-batch-job.arazzo.yaml')], {});
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /workflow batch-job is valid/);
  assert.ok(!existsSync(join(consumer, 'node_modules', 'tsx')), 'tsx is not installed with the package');
});
