#!/usr/bin/env node
// The arazzo-temporal command. It runs the built JavaScript (dist/cli.js, written by `npm run build`) under plain
// node. In a source checkout whose dist/ is missing or older than a file in src/ (an edit since the last build), it
// runs the TypeScript sources through tsx (a dev dependency) instead, so the README's commands work without a build
// step; ARAZZO_FROM_SOURCE=1 forces that, ARAZZO_FROM_SOURCE=0 forces dist/.
'use strict';
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'cli.js');
const sources = join(root, 'src');
// validate and graph load no Temporal code: `npm run build` also bundles the CLI into one file (esbuild, Temporal,
// axios, the simulator's and MQTT's packages left out), which starts faster than ~300 separate modules. It sits in
// dist/load/ so that the paths the code computes from __dirname (schemas/, the prebuilt validators) hold.
const fast = join(root, 'dist', 'load', 'cli-bundle.js');

/** the newest modification time of a .ts file under dir (a source checkout has ~150; an installed package none) */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

function fromSource() {
  const forced = process.env.ARAZZO_FROM_SOURCE;
  if (forced === '1' || forced === '0') return forced === '1';
  if (!existsSync(built)) return existsSync(sources);
  return existsSync(sources) && newest(sources) > statSync(built).mtimeMs;
}

/**
 * V8's code cache on disk (in the OS temp dir), so every start after the first compiles less. Node ≥ 22.1 keeps it
 * for every module it loads (module.enableCompileCache). Older versions have no such function: there the built
 * files that validate and graph run (dist/load/: the bundled CLI and the prebuilt schema validators) are compiled
 * with the cache by hand, and their cache is written at exit, once the command ran, so that it holds the code of the
 * functions the command called too (V8 compiles a function when it is first called).
 */
function compileCache() {
  const Module = require('node:module');
  if (Module.enableCompileCache) return void Module.enableCompileCache();
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return;
  const vm = require('node:vm');
  const { createHash } = require('node:crypto');
  const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
  const { dirname } = require('node:path');
  const dir = join(require('node:os').tmpdir(), `arazzo-temporal-v8-cache-${process.version}-${process.arch}`);
  const own = (filename) => filename === fast || (filename.startsWith(join(root, 'dist', 'load')) && filename.endsWith('.validator.js'));
  // only a directory of this user's that no one else may write to: V8 trusts a cache whose header matches
  const usable = () => {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const info = statSync(dir);
      return info.isDirectory() && info.uid === process.getuid?.() && (info.mode & 0o022) === 0;
    } catch {
      return false;
    }
  };
  if (!usable()) return;
  const fresh = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    if (!own(filename)) return compile.call(this, content, filename);
    const file = join(dir, createHash('sha1').update(filename).update('\0').update(content).digest('hex'));
    let cachedData;
    try {
      cachedData = readFileSync(file);
    } catch {
      /* first run of this build */
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) fresh.push({ script, file });
    const req = (id) => this.require(id);
    req.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
    req.main = process.mainModule;
    req.cache = Module._cache;
    return script.runInThisContext().call(this.exports, this.exports, req, this, filename, dirname(filename));
  };
  process.once('exit', () => {
    for (const { script, file } of fresh) {
      try {
        writeFileSync(`${file}.${process.pid}`, script.createCachedData());
        renameSync(`${file}.${process.pid}`, file);
      } catch {
        /* a cache is an optimization: a read-only temp dir just means no cache */
      }
    }
  });
}
compileCache();

let cli;
if (fromSource()) {
  require('tsx/cjs');
  cli = require('../src/cli.ts');
} else if (['validate', 'graph'].includes(process.argv[2]) && existsSync(fast) && statSync(fast).mtimeMs >= statSync(built).mtimeMs)
  cli = require(fast);
else cli = require(built);
cli.main(process.argv).then((code) => process.exit(code));
