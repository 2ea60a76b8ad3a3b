// `validate` as CI runs it: several files or a quoted glob in one process, --offline (remote sources not fetched,
// listed as not checked), --format github (GitHub Actions annotations). The real CLI, no Temporal needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js'), ...args], { cwd: PROJECT_ROOT, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// a remote source that does not exist: fetched, it fails; offline, it is not fetched
const remote = (goto: string) => `arazzo: 1.0.1
info: {title: offline, version: "1"}
sourceDescriptions:
- {name: api, url: "https://arazzo-temporal-offline-test.invalid/openapi.yaml", type: openapi}
- {name: local, url: "${PROJECT_ROOT}/openapi/openai-openapi-master.yml", type: openapi}
workflows:
- workflowId: w
  steps:
  - stepId: a
    operationId: getThing
    parameters: [{name: id, in: query, value: $inputs.id}]
    successCriteria: [{condition: $statusCode == 200}]
    outputs: {x: $response.body#/x}
  - stepId: b
    operationId: $sourceDescriptions.api.other
    parameters: [{name: x, in: query, value: $steps.a.outputs.x}]
    onSuccess: [{name: back, type: goto, stepId: ${goto}}]
  - stepId: c
    operationId: listBatches
`;

test('validate --offline checks everything but the remote source, which is listed as not checked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'offline-'));
  writeFileSync(join(dir, 'ok.arazzo.yaml'), remote('a'));
  const online = await cli('validate', join(dir, 'ok.arazzo.yaml'));
  assert.equal(online.code, 1);
  assert.match(online.stderr, /source-unavailable/);
  const offline = await cli('validate', join(dir, 'ok.arazzo.yaml'), '--offline');
  assert.equal(offline.code, 0, offline.stderr);
  assert.match(offline.stdout, /workflow w is valid \(3 steps, (\d+ warnings?, )?1 remote source not checked\)/);
  assert.match(offline.stderr, /not checked: source description "api" \(https:\/\/arazzo-temporal-offline-test\.invalid\/openapi\.yaml\)/);
  // the local source is still read: listBatches resolved there (an unknown id would be an error)
  writeFileSync(join(dir, 'broken.arazzo.yaml'), remote('nope').replace('operationId: listBatches', 'operationId: $sourceDescriptions.local.listBatchez'));
  const broken = await cli('validate', join(dir, 'broken.arazzo.yaml'), '--offline', '--format', 'github');
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /^::error file=.*broken\.arazzo\.yaml,line=17,col=\d+,title=unknown-step::\(workflow w%2C step b\)|^::error file=.*broken\.arazzo\.yaml,line=17,col=\d+,title=unknown-step::\(workflow w, step b\)/m);
  assert.match(broken.stdout, /^::error file=.*broken\.arazzo\.yaml,line=19,.*title=unknown-operation::/m);
});

test('validate takes several files and a quoted glob in one process, and fails if any is invalid', async () => {
  const all = await cli('validate', 'arazzo/*.arazzo.yaml');
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /7 documents: 7 valid, 0 invalid/); // the four seeds, the Bifrost seed and the two webhook variants (Arazzo 1.1, AsyncAPI)
  const dir = mkdtempSync(join(tmpdir(), 'many-'));
  writeFileSync(join(dir, 'bad.arazzo.yaml'), remote('nope'));
  const mixed = await cli('validate', 'arazzo/openai-batch-job.arazzo.yaml', join(dir, 'bad.arazzo.yaml'), '--offline', '--json');
  assert.equal(mixed.code, 1);
  const results = JSON.parse(mixed.stdout) as { file: string; valid: boolean }[];
  assert.deepEqual(results.map((r) => r.valid), [true, false]);
});
