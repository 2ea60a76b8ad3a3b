// The workflow bundle is clean without tricks (no ignoreModules): none of the Node-only libraries of xpath
// criteria, and no Node built-in, is bundled into the workflow sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { workflowBundle } from '../../src/worker';

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
