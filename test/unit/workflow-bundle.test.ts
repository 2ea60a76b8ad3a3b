// The workflow bundle is clean without tricks (no ignoreModules): none of the Node-only libraries of xpath
// criteria, and no Node built-in, is bundled into the workflow sandbox.
import { test } from 'node:test';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { workflowBundle } from '../../src/worker';
import { PRELOADED_MODULES } from '../../src/bundle';

test('the workflow bundle holds no fontoxpath, @xmldom/xmldom or Node built-in module', async () => {
  const { code } = await workflowBundle();
  assert.ok(code.includes('arazzoWorkflow'), 'the bundle holds the interpreter');
  // webpack names every bundled module by its path: node_modules/<package>/… (as the SDK's own modules show)
  assert.ok(code.includes('node_modules/@temporalio/workflow/'), 'bundled modules are named by their path');
  // the OpenTelemetry workflow interceptors are in the tracing worker's bundle only (dist/workflow-bundle-otel.js)
  for (const pkg of [
    'fontoxpath',
    '@xmldom/xmldom',
    'axios',
    'ajv',
    '@temporalio/interceptors-opentelemetry',
    '@opentelemetry/sdk-trace-base',
  ])
    assert.ok(!code.includes(`node_modules/${pkg}/`), `${pkg} is not in the bundle`);
  for (const m of builtinModules.filter((b) => !b.startsWith('_'))) {
    assert.ok(!code.includes(`require("${m}")`) && !code.includes(`require("node:${m}")`), `no require of the built-in ${m}`);
  }
});

test('the third-party modules of the core are preloaded once per worker thread, not evaluated per workflow', async () => {
  const { code } = await workflowBundle();
  const preload = /function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';
  assert.equal(PRELOADED_MODULES.length, 1);
  // a require webpack kept (a module without side effects whose result is unused becomes `0;`)
  assert.match(preload, /__webpack_require__\(/, 'the preload requires a module');
  const id = /"(\.\/[^"]*core\/preloaded\.[jt]s)"\)/.exec(preload)?.[1] ?? '';
  assert.match(id, /core\/preloaded/);
  // and that module requires re2js and jsonpath-rfc9535
  const at = code.indexOf(`/***/ "${id}"`);
  assert.ok(at >= 0, 'the preloaded module is in the bundle');
  const body = code.slice(at, at + 3000);
  for (const pkg of ['re2js', 'jsonpath-rfc9535']) assert.ok(body.includes(`node_modules/${pkg}/`), `${pkg} is preloaded`);
  // jsonpath-plus caches into its exports, which the SDK deep-freezes when preloaded: it is loaded lazily instead
  assert.ok(!preload.includes('jsonpath-plus'), 'jsonpath-plus is not preloaded');
});

test('every core module the workflows import at run time is preloaded (src/core/preloaded.ts keeps up with src/workflows)', () => {
  const src = join(__dirname, '..', '..', 'src');
  const imported = new Set<string>();
  for (const f of readdirSync(join(src, 'workflows')).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(src, 'workflows', f), 'utf8');
    // `import type` is erased: only value imports load a module in the sandbox
    for (const m of text.matchAll(/^import (?!type )[^;]*? from '\.\.\/core\/([^']+)';/gms)) imported.add(m[1]);
  }
  const preloaded = readFileSync(join(src, 'core', 'preloaded.ts'), 'utf8');
  assert.ok(imported.size >= 5, `found the workflows' core imports (${[...imported].join(', ')})`);
  for (const m of imported) assert.ok(preloaded.includes(`from './${m}'`), `src/core/preloaded.ts imports ./${m}`);
});
