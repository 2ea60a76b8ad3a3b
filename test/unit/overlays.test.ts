// Overlays: the seeds in arazzo/ are the user's documents byte for byte; what this project adds lives in
// overlays/*.overlay.yaml and is applied with --overlay. An action whose target matches nothing is an error at file:line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentError } from '../../src/core/diagnostics';
import { prepareDocument } from '../../src/load/prepare';
import { applyOverlays, parseOverlay } from '../../src/load/overlays';
import { seedOverlays } from '../../src/dev/seeds';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { operationStep } from '../helpers/plan';

const SHARED = join(PROJECT_ROOT, '..', 'shared', 'seeds');
/** documents of this project beside the user's seeds (the event-driven variants of the batch and fine-tuning seeds, Arazzo 1.1) */
const PROJECT_DOCUMENTS = ['openai-batch-job-webhook.arazzo.yaml', 'openai-fine-tuning-job-webhook.arazzo.yaml'];
const SEEDS = readdirSync(join(PROJECT_ROOT, 'arazzo')).filter((f) => f.endsWith('.arazzo.yaml') && !PROJECT_DOCUMENTS.includes(f));

/** Our own document for the Bifrost seed (the user's seed there is a schema, ../shared/seeds/bifrost-batch-schema.yaml). */
const OURS = ['bifrost-batch.arazzo.yaml'];

test('arazzo/*.arazzo.yaml are the user seeds of ../shared/seeds, byte for byte (and our Bifrost document)', () => {
  assert.deepEqual(SEEDS.filter((f) => OURS.includes(f)), OURS);
  const users = SEEDS.filter((f) => !OURS.includes(f));
  assert.deepEqual(users, readdirSync(SHARED).filter((f) => f.endsWith('.arazzo.yaml')).sort());
  assert.equal(users.length, 4);
  for (const f of users) assert.ok(readFileSync(join(PROJECT_ROOT, 'arazzo', f)).equals(readFileSync(join(SHARED, f))), `${f} differs from ../shared/seeds/${f}`);
});

test('the seeds with our overlays: the create steps have a cancel operation; the OpenAI creates a reconcile lookup', async () => {
  const plans = Object.fromEntries(
    await Promise.all(SEEDS.map(async (f) => [f.replace('.arazzo.yaml', ''), (await prepareDocument(join(PROJECT_ROOT, 'arazzo', f), { overlays: seedOverlays(f.replace('.arazzo.yaml', '')) })).plan] as const)),
  );
  const step = (seed: string, id: string) => operationStep(plans[seed].steps.find((s) => s.stepId === id)!);
  assert.equal(step('openai-batch-job', 'createBatch').cancel?.operation.operationId, 'cancelBatch');
  assert.equal(step('openai-batch-job', 'createBatch').reconcile?.lookup.operation.operationId, 'listBatches');
  assert.equal(step('openai-batch-job', 'createBatch').reconcile?.marker, '/metadata/arazzo_request');
  assert.equal(step('openai-fine-tuning-job', 'createJob').cancel?.operation.operationId, 'cancelFineTuningJob');
  assert.equal(step('openai-fine-tuning-job', 'createJob').reconcile?.lookup.operation.path, '/fine_tuning/jobs');
  assert.equal(step('anthropic-batch-create-poll-results', 'createBatch').cancel?.operation.operationId, 'cancelMessageBatch');
  assert.equal(step('anthropic-batch-create-poll-results', 'createBatch').reconcile, undefined);
  assert.equal(step('bifrost-batch', 'createBatch').cancel?.operation.path, '/v1/batches/{batch_id}/cancel');
  // without the overlay, the same documents have neither
  const bare = await prepareDocument(join(PROJECT_ROOT, 'arazzo', 'openai-batch-job.arazzo.yaml'));
  assert.equal(operationStep(bare.plan.steps.find((s) => s.stepId === 'createBatch')).cancel, undefined);
});

test('applyOverlays: update merges objects and appends to arrays, remove deletes; the input is not changed', () => {
  const doc = { info: { title: 'a', version: '1' }, workflows: [{ workflowId: 'w', steps: [{ stepId: 'x', keep: 1 }, { stepId: 'y' }], tags: ['t'] }] };
  const text = `overlay: 1.0.0
info: {title: t, version: 1.0.0}
actions:
- target: $.workflows[?@.workflowId == 'w'].steps[?@.stepId == 'x']
  update: {x-added: {a: 1}, keep: 2}
- target: $.workflows[0].tags
  update: u
- target: $.workflows[0].steps[?@.stepId == 'y']
  remove: true
`;
  const { overlay, diagnostics } = parseOverlay(text, 'o.overlay.yaml');
  assert.deepEqual(diagnostics, []);
  const out = applyOverlays(doc, [overlay!]);
  assert.deepEqual(out.diagnostics, []);
  assert.deepEqual(out.doc.workflows[0].steps, [{ stepId: 'x', keep: 2, 'x-added': { a: 1 } }]);
  assert.deepEqual(out.doc.workflows[0].tags, ['t', 'u']);
  assert.equal(doc.workflows[0].steps.length, 2, 'the original is untouched');
});

test('an overlay target that matches nothing is refused with the overlay file:line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'overlay-'));
  const file = join(dir, 'typo.overlay.yaml');
  writeFileSync(file, `overlay: 1.0.0
info: {title: t, version: 1.0.0}
actions:
- target: $.workflows[?@.workflowId == 'batch-job'].steps[?@.stepId == 'createBatch']
  update: {x-temporal-poll: {interval: 2s}}
- target: $.workflows[?@.workflowId == 'batch-job'].steps[?@.stepId == 'createBach']
  update: {x-temporal-poll: {interval: 2s}}
`);
  await assert.rejects(prepareDocument(join(PROJECT_ROOT, 'arazzo', 'openai-batch-job.arazzo.yaml'), { overlays: [file] }), (err: unknown) => {
    assert.ok(err instanceof DocumentError);
    const d = err.diagnostics.find((x) => x.code === 'overlay-target-unmatched');
    assert.ok(d, err.message);
    assert.equal(d.pos?.file, file.replace(`${process.cwd()}/`, ''));
    assert.equal(d.pos?.line, 6);
    assert.match(d.message, /actions\[1\].*createBach.*matches nothing/);
    return true;
  });
  const bad = parseOverlay('overlay: 2.0.0\ninfo: {}\nactions: []\n', 'b.yaml');
  assert.deepEqual(bad.diagnostics.map((d) => d.pos?.line), [1, 3]);
});
