// What `validate` costs to start: it loads no Temporal code (the @temporalio/* packages set up protobufs, ≈ 100 ms),
// and, on a Node without module.enableCompileCache, the bin keeps V8's code cache of the bundled CLI in a private
// directory, so the next start compiles less (bench/validate.ts measures both against redocly lint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const seed = 'arazzo/openai-batch-job.arazzo.yaml';
const bin = join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js');

test('validate (and graph) load no @temporalio/* module, built or from source', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'validate-load-'));
  try {
    // every file node loads, written at exit
    const hook = join(dir, 'loaded.cjs');
    writeFileSync(
      hook,
      `process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADED_FILE, Object.keys(require.cache).join('\\n')));\n`,
    );
    const modes = existsSync(join(PROJECT_ROOT, 'dist', 'cli.js')) ? ['0', '1'] : ['1'];
    for (const fromSource of modes) {
      for (const args of [
        ['validate', seed],
        ['graph', seed],
      ]) {
        const loadedFile = join(dir, `loaded-${fromSource}-${args[0]}`);
        const r = await run(['--require', hook, bin, ...args], { ARAZZO_FROM_SOURCE: fromSource, LOADED_FILE: loadedFile });
        assert.equal(r.code, 0, r.stderr);
        const loaded = readFileSync(loadedFile, 'utf8').split('\n');
        assert.ok(
          loaded.some((f) => f.includes('arazzo')),
          `the hook saw the command's modules: ${loaded.slice(0, 5).join(', ')}`,
        );
        const temporal = loaded.filter((f) => /[\\/]node_modules[\\/](@temporalio|protobufjs)[\\/]/.test(f));
        assert.deepEqual(temporal, [], `${args[0]} (ARAZZO_FROM_SOURCE=${fromSource}) loaded Temporal code`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const noOwnCache =
  'enableCompileCache' in Module
    ? 'this Node keeps its own compile cache (module.enableCompileCache)'
    : !existsSync(join(PROJECT_ROOT, 'dist', 'load', 'cli-bundle.js'))
      ? 'no built CLI bundle (npm run build)'
      : false;

test(
  'on Node < 22.1 the bin keeps the code cache of the CLI bundle in a private directory; output unchanged',
  { skip: noOwnCache },
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'validate-cache-'));
    try {
      const env = { ARAZZO_FROM_SOURCE: '0', TMPDIR: tmp };
      const first = await run([bin, 'validate', seed], env);
      assert.equal(first.code, 0, first.stderr);
      const [dir] = readdirSync(tmp).filter((d) => d.startsWith('arazzo-temporal-v8-cache-'));
      assert.ok(dir, `a cache directory in ${tmp}: ${readdirSync(tmp).join(', ')}`);
      assert.equal(statSync(join(tmp, dir)).mode & 0o777, 0o700);
      const files = readdirSync(join(tmp, dir));
      assert.ok(files.length >= 2, `the bundle's and the validator's caches: ${files.join(', ')}`);
      const second = await run([bin, 'validate', seed], env);
      assert.deepEqual([second.code, second.stdout, second.stderr], [first.code, first.stdout, first.stderr]);
      assert.deepEqual(readdirSync(join(tmp, dir)).sort(), files.sort(), 'a start with the cache writes none again');
      const off = await run([bin, 'validate', seed], { ...env, NODE_DISABLE_COMPILE_CACHE: '1' });
      assert.deepEqual([off.code, off.stdout, off.stderr], [first.code, first.stdout, first.stderr]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);
