// A poll's actions cover every outcome when they name every value of the response field's enum: the Bifrost seed
// names all nine BatchStatus values (and Bifrost's own `cancelled`), so it gets no poll-without-failure-branch warning;
// the same document with one value left out does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { prepareDocument } from '../../src/load/prepare';
import { responseEnums } from '../../src/core/openapi';
import { coversEnum, pollCovered } from '../../src/core/poll-coverage';
import { planToMermaid } from '../../src/core/graph';

const ROOT = resolve(__dirname, '../..');
const BIFROST_DOC = join(ROOT, 'arazzo/bifrost-batch.arazzo.yaml');
const BIFROST_API = join(ROOT, 'openapi/bifrost-batches.yml');

test("responseEnums reads the 2xx JSON body's string enums by pointer, through $refs", () => {
  const spec = parseYaml(readFileSync(BIFROST_API, 'utf8'));
  const enums = responseEnums(spec, '/paths/~1v1~1batches~1{batch_id}/get');
  assert.deepEqual(
    new Set(enums['/status']),
    new Set(['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'canceled', 'ended']),
  );
  assert.deepEqual(responseEnums(spec, '/paths/~1nothing/get'), {});
});

test('coversEnum: the == terms of every action together must name each value; other terms count for nothing', () => {
  const enums = { '/status': ['a', 'b', 'c'] };
  assert.equal(
    coversEnum(["$response.body#/status == 'a' || $response.body#/status == 'b'", "$response.body#/status == 'c'"], enums),
    true,
  );
  assert.equal(coversEnum(["$response.body#/status == 'a'", "$response.body#/status == 'b'"], enums), false);
  // a != term or an && term does not name a value
  assert.equal(coversEnum(["$response.body#/status == 'a'", "$response.body#/status != 'a' && $response.body#/x == 1"], enums), false);
  // another field's values do not count
  assert.equal(coversEnum(["$response.body#/phase == 'a' || $response.body#/phase == 'b' || $response.body#/phase == 'c'"], enums), false);
  assert.equal(coversEnum(['not a ( condition'], enums), false);
  assert.equal(pollCovered(["$response.body#/status != 'done'", "$response.body#/status == 'done'"], undefined), true);
  assert.equal(pollCovered(["$response.body#/status == 'a'"], undefined), false);
});

test('the Bifrost seed names every BatchStatus: no poll warning; with expired left out, the warning is back', async () => {
  const whole = await prepareDocument(BIFROST_DOC);
  assert.ok(!whole.warnings.some((w) => w.code === 'poll-without-failure-branch'), JSON.stringify(whole.warnings));
  const dir = mkdtempSync(join(tmpdir(), 'poll-coverage-'));
  try {
    cpSync(join(ROOT, 'openapi'), join(dir, 'openapi'), { recursive: true });
    const doc = join(dir, 'arazzo.yaml');
    const text = readFileSync(BIFROST_DOC, 'utf8');
    assert.ok(text.includes(" || $response.body#/status == 'expired'"));
    writeFileSync(doc, text.replace(" || $response.body#/status == 'expired'", '').replace(/\.\.\/openapi\//g, './openapi/'));
    const cut = await prepareDocument(doc);
    const warning = cut.warnings.find((w) => w.code === 'poll-without-failure-branch');
    assert.ok(warning, 'expected poll-without-failure-branch');
    assert.equal(warning.stepId, 'pollBatch');
    // the graph agrees with the linter: a "no action matched" edge only where a status is left unanswered
    const graph = (p: typeof whole) => planToMermaid(p.plan, { sites: p.sites[p.plan.workflowId] });
    assert.ok(!graph(whole).includes('no action matched'), graph(whole));
    assert.ok(graph(cut).includes('no action matched'), graph(cut));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
