// Run requests on the worker side: document roots (.., absolute paths, symlinks), the simple URL rule, the
// prepareRun activity (validation, the plan cache, pins) and input defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { cachedPlans, prepareRun, setDocumentRoots } from '../../src/activities/prepare-run';
import { RefusedLocation, checkUrl, isPrivateAddress, resolveUnderRoots } from '../../src/load/document-roots';
import { documentParts, sha256 } from '../../src/load/document-pin';
import { applyInputDefaults } from '../../src/load/inputs';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import type { Plan } from '../../src/core/types';

/** A root holding a copy of the batch seed and its OpenAPI description, a secret outside, and symlinks. */
function makeRoot() {
  const base = mkdtempSync(join(tmpdir(), 'roots-'));
  const root = join(base, 'docs');
  mkdirSync(join(root, 'arazzo'), { recursive: true });
  mkdirSync(join(root, 'openapi'));
  cpSync(join(PROJECT_ROOT, 'arazzo/openai-batch-job.arazzo.yaml'), join(root, 'arazzo/batch.arazzo.yaml'));
  cpSync(join(PROJECT_ROOT, 'openapi/openai-openapi-master.yml'), join(root, 'openapi/openai-openapi-master.yml'));
  writeFileSync(join(base, 'secret.yaml'), 'arazzo: 1.0.1\n');
  symlinkSync(join(base, 'secret.yaml'), join(root, 'out.yaml'));
  symlinkSync(join(root, 'arazzo/batch.arazzo.yaml'), join(root, 'in.yaml'));
  return { base, root };
}

const refused = async (p: Promise<unknown>, re: RegExp) => assert.rejects(p, (e: unknown) => e instanceof RefusedLocation && re.test((e as Error).message));

test('paths resolve under a root; .., absolute paths elsewhere and symlinks out are refused', async () => {
  const { base, root } = makeRoot();
  assert.equal(await resolveUnderRoots('arazzo/batch.arazzo.yaml', [root]), join(root, 'arazzo/batch.arazzo.yaml'));
  assert.equal(await resolveUnderRoots(join(root, 'arazzo/batch.arazzo.yaml'), [root]), join(root, 'arazzo/batch.arazzo.yaml'));
  assert.equal(await resolveUnderRoots('in.yaml', [root]), join(root, 'arazzo/batch.arazzo.yaml'));
  await refused(resolveUnderRoots('../secret.yaml', [root]), /leaves the document root/);
  await refused(resolveUnderRoots('arazzo/../../secret.yaml', [root]), /leaves the document root/);
  await refused(resolveUnderRoots(join(base, 'secret.yaml'), [root]), /not under a document root/);
  await refused(resolveUnderRoots('out.yaml', [root]), /not under a document root.*symlinks/);
  await refused(resolveUnderRoots('nothing.yaml', [root]), /not found under the document roots/);
  await refused(resolveUnderRoots('arazzo/batch.arazzo.yaml', []), /no document roots/);
  // a second root is tried after the first
  assert.equal(await resolveUnderRoots('secret.yaml', [root, base]), join(base, 'secret.yaml'));
});

test('URLs: https only, never to loopback or private addresses', async () => {
  for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) assert.equal(isPrivateAddress(ip), true, ip);
  for (const ip of ['8.8.8.8', '172.32.0.1', '2606:4700::1111']) assert.equal(isPrivateAddress(ip), false, ip);
  await refused(checkUrl('http://example.com/a.yaml'), /only https/);
  await refused(checkUrl('https://127.0.0.1/a.yaml'), /private or loopback/);
  await refused(checkUrl('https://[::1]/a.yaml'), /private or loopback/);
  await refused(checkUrl('https://localhost/a.yaml'), /private or loopback/);
});

const batchInputs = () => JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples/inputs/openai-batch-job.json'), 'utf8'));

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => assert.fail('should have failed'), (e: unknown) => e);
  assert.ok(err instanceof ApplicationFailure, String(err));
  assert.equal(err.nonRetryable, true);
  return err;
}

test('prepareRun compiles a document under the roots once per content; a change of it or its sources compiles again', async () => {
  const { root } = makeRoot();
  setDocumentRoots([root]);
  try {
    const req = { document: 'arazzo/batch.arazzo.yaml', inputs: batchInputs(), servers: { openaiApi: 'http://127.0.0.1:1/v1' } };
    const first = await prepareRun(req);
    assert.equal(first.plan.workflowId, 'batch-job');
    assert.deepEqual(first.inputs.apiKey, { $secret: 'OPENAI_API_KEY' });
    const n = cachedPlans();
    await prepareRun(req);
    assert.equal(cachedPlans(), n, 'the same document compiled twice');
    // the OpenAPI description is touched but not changed: still the cached plan
    const spec = join(root, 'openapi/openai-openapi-master.yml');
    utimesSync(spec, new Date(), new Date(Date.now() + 5000));
    assert.equal((await prepareRun(req)).plan, first.plan);
    // it changes: compiled again, same key
    writeFileSync(spec, `${readFileSync(spec, 'utf8')}\n# edited\n`);
    const again = await prepareRun(req);
    assert.notEqual(again.plan, first.plan);
    assert.equal(cachedPlans(), n);
    // the document changes: a new entry
    const doc = join(root, 'arazzo/batch.arazzo.yaml');
    writeFileSync(doc, readFileSync(doc, 'utf8').replace('title: OpenAI Batch Job', 'title: OpenAI Batch Job (edited)'));
    const edited = await prepareRun(req);
    assert.equal(edited.plan.document.title, 'OpenAI Batch Job (edited)');
    assert.equal(cachedPlans(), n + 1);
    // a source override that leaves the root is refused
    const out = await failure(prepareRun({ ...req, sources: { openaiApi: '../secret.yaml' } }));
    assert.equal(out.type, 'ArazzoRefusedDocument');
  } finally {
    setDocumentRoots(undefined);
  }
});

test('an inline document whose source description leaves the root is refused; an invalid one fails with file:line', async () => {
  const { root } = makeRoot();
  setDocumentRoots([root]);
  try {
    const text = readFileSync(join(root, 'arazzo/batch.arazzo.yaml'), 'utf8');
    const escaping = await failure(prepareRun({ document: { inline: text.replace('../openapi/openai-openapi-master.yml', '../../secret.yaml'), name: 'arazzo/x.yaml' }, inputs: batchInputs() }));
    assert.equal(escaping.type, 'ArazzoInvalidDocument');
    assert.match(escaping.message, /leaves the document root|not under a document root/);
    const broken = await failure(prepareRun({ document: { inline: text.replace('operationId: createBatch', 'operationId: createBatchh'), name: 'arazzo/x.yaml' }, inputs: batchInputs() }));
    assert.match(broken.message, /x\.yaml:\d+:\d+: error \[unknown-operation\]/);
  } finally {
    setDocumentRoots(undefined);
  }
});

test('a pinned document that changed is refused with what changed', async () => {
  const { root } = makeRoot();
  setDocumentRoots([root]);
  try {
    const doc = join(root, 'arazzo/batch.arazzo.yaml');
    const text = readFileSync(doc, 'utf8');
    const pin = { pin: `sha256:${sha256(text)}`, pinned: documentParts(text) };
    const req = { document: 'arazzo/batch.arazzo.yaml', inputs: batchInputs(), ...pin };
    await prepareRun(req);
    writeFileSync(doc, text.replace('  - stepId: pollBatch\n', '  - stepId: pollBatch\n    x-note: edited\n'));
    const changed = await failure(prepareRun(req));
    assert.equal(changed.type, 'ArazzoDocumentChanged');
    assert.match(changed.message, /changed since it was pinned.*step pollBatch of workflow batch-job changed/);
    assert.doesNotMatch(changed.message, /uploadInput/);
  } finally {
    setDocumentRoots(undefined);
  }
});

test('input defaults are applied, nested ones included, and never replace a given value', () => {
  const plan = {
    inputsSchema: {
      type: 'object',
      properties: {
        anthropicVersion: { type: 'string', default: '2023-06-01' },
        limits: { type: 'object', default: {}, properties: { max: { type: 'integer', default: 5 }, min: { type: 'integer' } } },
        given: { type: 'string', default: 'x' },
      },
    },
  } as unknown as Plan;
  const inputs = { given: 'mine' };
  assert.deepEqual(applyInputDefaults(plan, inputs), { given: 'mine', anthropicVersion: '2023-06-01', limits: { max: 5 } });
  assert.deepEqual(inputs, { given: 'mine' }, 'the caller’s object is not changed');
});
