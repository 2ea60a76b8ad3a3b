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
} else cli = require(built);
cli.main(process.argv).then((code) => process.exit(code));
