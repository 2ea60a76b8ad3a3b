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

// Node ≥ 22.1 keeps the compiled code of what it loads on disk (V8's code cache, in the OS temp dir), so every start
// after the first parses less; older versions have no such function
require('node:module').enableCompileCache?.();

let cli;
if (fromSource()) {
  require('tsx/cjs');
  cli = require('../src/cli.ts');
} else if (['validate', 'graph'].includes(process.argv[2]) && existsSync(fast) && statSync(fast).mtimeMs >= statSync(built).mtimeMs)
  cli = require(fast);
else cli = require(built);
cli.main(process.argv).then((code) => process.exit(code));
