// The compiled-plan cache (src/load/plan-cache.ts): a document is compiled once per text, overlays and options;
// a change to the document, to a source description it reads, to an overlay or to an option compiles it again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { ArazzoClient } from '../../src/client';
import { DocumentError } from '../../src/core/diagnostics';
import { clearPlanCache, planCacheStats, preparePlan } from '../../src/load/plan-cache';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';

const LOOPS = join(PROJECT_ROOT, 'test', 'fixtures', 'loops');

function copyFixture(): { dir: string; doc: string; api: string } {
  const dir = mkdtempSync(join(tmpdir(), 'plan-cache-'));
  const doc = join(dir, 'three-step-loop.arazzo.yaml');
  const api = join(dir, 'counter-openapi.yaml');
  copyFileSync(join(LOOPS, 'three-step-loop.arazzo.yaml'), doc);
  copyFileSync(join(LOOPS, 'counter-openapi.yaml'), api);
  return { dir, doc, api };
}

/** hits and misses of `fn` */
async function counted(fn: () => Promise<unknown>): Promise<{ hits: number; misses: number }> {
  const before = planCacheStats();
  await fn();
  const after = planCacheStats();
  return { hits: after.hits - before.hits, misses: after.misses - before.misses };
}

const overlayText = (summary: string) =>
  [
    'overlay: 1.0.0',
    'info: {title: t, version: 1.0.0}',
    'actions:',
    "- target: $.workflows[?@.workflowId == 'three-step-loop']",
    '  update:',
    `    summary: ${summary}`,
    '',
  ].join('\n');

test('calls at once share one preparation: one compile, a copy each', async () => {
  clearPlanCache();
  const { dir, doc } = copyFixture();
  try {
    let all: Awaited<ReturnType<typeof preparePlan>>[] = [];
    assert.deepEqual(await counted(async () => (all = await Promise.all(Array.from({ length: 20 }, () => preparePlan(doc))))), {
      hits: 0,
      misses: 1,
    });
    assert.equal(new Set(all).size, 20, 'each caller gets its own Prepared');
    assert.ok(
      all.every((p) => p.plan === all[0].plan),
      'sharing the one plan',
    );
    // a shared preparation that fails fails every caller, and nothing is cached
    writeFileSync(doc, 'arazzo: 1.0.1\n');
    clearPlanCache();
    const ends = await Promise.allSettled([preparePlan(doc), preparePlan(doc)]);
    assert.deepEqual(
      ends.map((e) => e.status),
      ['rejected', 'rejected'],
    );
    assert.equal(planCacheStats().size, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same document twice: one compile; the plan is the cached one', async () => {
  clearPlanCache();
  const { dir, doc } = copyFixture();
  try {
    const first = await preparePlan(doc);
    let second: Awaited<ReturnType<typeof preparePlan>> | undefined;
    assert.deepEqual(await counted(async () => (second = await preparePlan(doc))), { hits: 1, misses: 0 });
    assert.equal(second?.plan, first.plan);
    // a copy of the Prepared: what a caller sets on it (client.prepare sets inputs) does not reach the cache
    first.inputs = { target: 1 };
    assert.equal((await preparePlan(doc)).inputs, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a change to the document or to a source description it reads compiles it again; a touch does not', async () => {
  clearPlanCache();
  const { dir, doc, api } = copyFixture();
  try {
    await preparePlan(doc);
    writeFileSync(doc, readFileSync(doc, 'utf8').replace('Count to the target in a three-step loop.', 'Count up.'));
    assert.deepEqual(await counted(() => preparePlan(doc)), { hits: 0, misses: 1 });
    assert.equal((await preparePlan(doc)).plan.summary, 'Count up.');
    // the OpenAPI file: same size and a later mtime, then another text
    const later = new Date(Date.now() + 5_000);
    utimesSync(api, later, later);
    assert.deepEqual(await counted(() => preparePlan(doc)), { hits: 1, misses: 0 }, 'touched, not changed');
    writeFileSync(api, readFileSync(api, 'utf8').replace('the new counter', 'the counter just made'));
    assert.deepEqual(await counted(() => preparePlan(doc)), { hits: 0, misses: 1 }, 'the source description changed');
    assert.deepEqual(await counted(() => preparePlan(doc)), { hits: 1, misses: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an overlay, a changed overlay, and each compile option are other keys', async () => {
  clearPlanCache();
  const { dir, doc } = copyFixture();
  const overlay = join(dir, 'summary.overlay.yaml');
  try {
    await preparePlan(doc);
    writeFileSync(overlay, overlayText('First summary'));
    assert.deepEqual(await counted(() => preparePlan(doc, { overlays: [overlay] })), { hits: 0, misses: 1 });
    assert.deepEqual(await counted(() => preparePlan(doc, { overlays: [overlay] })), { hits: 1, misses: 0 });
    writeFileSync(overlay, overlayText('Second, longer summary'));
    let summary: string | undefined;
    assert.deepEqual(await counted(async () => ({ summary } = (await preparePlan(doc, { overlays: [overlay] })).plan)), {
      hits: 0,
      misses: 1,
    });
    assert.equal(summary, 'Second, longer summary');
    for (const opts of [
      { poll: { initialIntervalMs: 5 } },
      { strict: true },
      { servers: { counterApi: 'http://127.0.0.1:9/' } },
      { workflowId: 'three-step-loop' },
    ]) {
      assert.deepEqual(await counted(() => preparePlan(doc, opts).catch(() => undefined)), { hits: 0, misses: 1 }, JSON.stringify(opts));
      if (!opts.strict)
        assert.deepEqual(await counted(() => preparePlan(doc, opts)), { hits: 1, misses: 0 }, `${JSON.stringify(opts)} again`);
    }
    assert.deepEqual(await counted(() => preparePlan(doc)), { hits: 1, misses: 0 }, 'the first key is still there');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ArazzoClient.prepare (start, schedules, the seeds) compiles once and still checks every run’s inputs', async () => {
  clearPlanCache();
  const { dir, doc } = copyFixture();
  // a lazy connection: prepare never talks to a server
  const client = ArazzoClient.fromClient(new Client());
  try {
    assert.deepEqual(await counted(() => client.prepare({ document: doc, inputs: { target: 3 } })), { hits: 0, misses: 1 });
    let inputs: Record<string, unknown> | undefined;
    assert.deepEqual(await counted(async () => ({ inputs } = await client.prepare({ document: doc, inputs: { target: 4 } }))), {
      hits: 1,
      misses: 0,
    });
    assert.deepEqual(inputs, { target: 4 });
    await assert.rejects(client.prepare({ document: doc, inputs: { target: 0 } }), DocumentError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
