// The Arazzo 1.0 JSON Schema pass (src/load/schema.ts) and the document checks after it: readable
// messages at file:line:column naming workflow and step, one message per alternative, lenient forms left
// to the compiler; and a fuzz over the seeds: damaged documents give diagnostics, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { prepareDocument } from '../../src/load/prepare';
import { parseWithPositions } from '../../src/load/parse-document';
import { validateSchema } from '../../src/load/schema';
import { checkDocument } from '../../src/core/document-checks';
import { DocumentError } from '../../src/core/diagnostics';
import type { ArazzoDocument, Diagnostic } from '../../src/core/types';

const ROOT = resolve(__dirname, '../..');
const SEEDS = join(ROOT, 'arazzo');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus', 'arazzo');
const CASES = join(ROOT, 'test/conformance/cases');

function schemaOf(text: string, file = 'doc.yaml'): Diagnostic[] {
  const parsed = parseWithPositions(text, file);
  assert.deepEqual(parsed.errors, []);
  return validateSchema(parsed.value, file, parsed);
}

const lineOf = (text: string, pattern: RegExp, nth = 1) => {
  const hits = text.split('\n').flatMap((l, i) => (pattern.test(l) ? [i + 1] : []));
  assert.ok(hits.length >= nth, `${pattern} not found`);
  return hits[nth - 1];
};

const HEAD = `arazzo: 1.0.1
info:
  title: t
  version: 1.0.0
sourceDescriptions:
- name: api
  url: ./openapi.yaml
  type: openapi
workflows:
`;

test('schema: the seeds, the corpus and every conformance case that is not about the schema conform', () => {
  const files = [
    ...readdirSync(SEEDS).map((f) => join(SEEDS, f)),
    ...readdirSync(CORPUS).map((f) => join(CORPUS, f)),
    ...readdirSync(CASES)
      .filter((f) => f.endsWith('.arazzo.yaml') && !/error-(bad-yaml|unknown-field|schema-type|step-target|querystring-in-1-0|selector-version|selector-in-1-0)/.test(f))
      .map((f) => join(CASES, f)),
  ];
  assert.ok(files.length > 50);
  for (const file of files) assert.deepEqual(schemaOf(readFileSync(file, 'utf8'), file), [], file);
});

test('schema: an unknown field points at its key, names workflow and step, and suggests the field meant', () => {
  const text = `${HEAD}- workflowId: w
  steps:
  - stepId: s
    operationId: op
    sucessCriteria:
      - condition: $statusCode == 200
`;
  const [d, ...rest] = schemaOf(text);
  assert.deepEqual(rest, []);
  assert.equal(d.code, 'unknown-field');
  assert.equal(d.message, 'unknown field "sucessCriteria" in step "s" (did you mean "successCriteria"?)');
  assert.deepEqual([d.pos?.line, d.pos?.column], [lineOf(text, /sucessCriteria/), 5]);
  assert.deepEqual([d.workflowId, d.stepId, d.path], ['w', 's', 'workflows[0].steps[0].sucessCriteria']);
});

test('schema: alternatives give one message (step target, goto target), not one per branch', () => {
  const text = `${HEAD}- workflowId: w
  steps:
  - stepId: none
    description: no target at all
  - stepId: two
    operationId: a
    operationPath: b
    onSuccess:
    - name: jump
      type: goto
  - 7
`;
  const ds = schemaOf(text);
  assert.deepEqual(
    ds.map((d) => [d.pos?.line, d.stepId, d.message]),
    [
      [lineOf(text, /stepId: none/), 'none', 'step "none": a step needs exactly one of operationId, operationPath or workflowId'],
      [lineOf(text, /stepId: two/), 'two', 'step "two": a step needs exactly one of operationId, operationPath or workflowId (it has more than one)'],
      [lineOf(text, /name: jump/), 'two', 'onSuccess action "jump": a goto action needs exactly one of stepId or workflowId'],
      [lineOf(text, /- 7/), undefined, 'steps[2] must be a mapping (object), not a number (7)'],
    ],
  );
});

test('schema: wrong types, enums, missing fields and criterion rules read as sentences', () => {
  const text = `${HEAD}- workflowId: w
  steps:
  - stepId: s
    operationId: op
    parameters:
    - name: p
      value: 1
    successCriteria:
    - condition: $.x
      type: jsonpath
    - condition: ok
      context: $response.body
      type: {type: jsonpath, version: v9}
    onFailure:
    - name: again
      type: retry
      retryLimit: three
    - name: odd
      type: explode
`;
  const messages = schemaOf(text).map((d) => d.message);
  assert.deepEqual(messages, [
    'parameter "p" is missing the required field "in"',
    'successCriteria[0] has "type" but no "context": a criterion with a type needs a context (e.g. $response.body)',
    '"version" of "type" must be one of "draft-goessner-dispatch-jsonpath-00", "rfc9535", not "v9"',
    '"retryLimit" of onFailure action "again" must be an integer, not a string ("three")',
    '"type" of onFailure action "odd" must be one of "end", "goto", "retry", not "explode"',
  ]);
});

test('schema: the known fixes — retry needs no target nor retryAfter; a criterion type may be an object; 1.1 step fields are accepted', () => {
  const text = `${HEAD}- workflowId: w
  steps:
  - stepId: s
    operationId: op
    timeout: 5000
    successCriteria:
    - condition: $[?@.a]
      context: $response.body
      type: {type: jsonpath, version: rfc9535}
    onFailure:
    - name: again
      type: retry
`;
  assert.deepEqual(schemaOf(text), []);
});

test('schema: retry under onSuccess is left to the compiler (a warning), not a schema error', () => {
  const text = `${HEAD}- workflowId: w
  steps:
  - stepId: s
    operationId: op
    onSuccess:
    - name: again
      type: retry
      retryAfter: 1
      retryLimit: 3
`;
  assert.deepEqual(schemaOf(text), []);
});

test('schema: invalid JSON Schema in workflow inputs is named once', () => {
  const text = `${HEAD}- workflowId: w
  inputs:
    type: object
    properties:
      n: {type: integr}
  steps:
  - stepId: s
    operationId: op
`;
  const ds = schemaOf(text);
  assert.equal(ds.length, 1, JSON.stringify(ds));
  assert.match(ds[0].message, /^inputs schema is not valid JSON Schema 2020-12: "type" of "n" must be one of .*not "integr"$/);
  assert.equal(ds[0].pos?.line, lineOf(text, /integr/));
  assert.equal(ds[0].workflowId, 'w');
});

test('schema: documents that are not mappings, or nearly empty, are reported, not thrown', () => {
  for (const [text, message] of [
    ['', /the document must be a mapping/],
    ['- 1\n- 2\n', /the document must be a mapping \(object\), not a list/],
    ['arazzo: 1.0.1\n', /the document needs a non-empty "workflows" list/],
    ['arazzo: 2.0.0\ninfo: {title: t, version: "1"}\nsourceDescriptions: []\nworkflows: []\n', /"arazzo" "2\.0\.0" does not match/],
  ] as const) {
    const parsed = parseWithPositions(text, 'x.yaml');
    const ds = validateSchema(parsed.value, 'x.yaml', parsed);
    assert.ok(ds.some((d) => message.test(d.message)), `${JSON.stringify(text)}: ${ds.map((d) => d.message).join(' | ')}`);
  }
});

test('a YAML alias inside the node it names (a cycle) is a syntax error at the alias, not a hang or a stack overflow', () => {
  const text = `${HEAD}- workflowId: w
  steps:
  - stepId: s
    operationId: op
    requestBody:
      payload: &p
        self: *p
`;
  const parsed = parseWithPositions(text, 'c.yaml');
  assert.deepEqual(
    parsed.errors.map((d) => [d.code, d.pos?.line, d.message]),
    [['yaml-syntax', lineOf(text, /self: \*p/), 'alias *p refers to a node that contains it (a cycle)']],
  );
});

test('document checks: duplicate workflowIds, source names and stepIds; dependsOn cycles', () => {
  const text = `arazzo: 1.0.1
info: {title: t, version: 1.0.0}
sourceDescriptions:
- name: api
  url: ./openapi.yaml
- name: api
  url: ./other.yaml
workflows:
- workflowId: a
  dependsOn: [b]
  steps:
  - stepId: s
    operationId: op
  - stepId: s
    operationId: op
- workflowId: b
  dependsOn: [c]
  steps:
  - stepId: s
    operationId: op
- workflowId: c
  dependsOn: [a, b]
  steps:
  - stepId: s
    operationId: op
- workflowId: a
  steps:
  - stepId: s
    operationId: op
`;
  const parsed = parseWithPositions(text, 'd.yaml');
  const ds = checkDocument(parsed.value as ArazzoDocument, 'd.yaml', parsed.locate);
  assert.deepEqual(
    ds.map((d) => [d.code, d.pos?.line, d.message]),
    [
      ['duplicate-source', lineOf(text, /- name: api/, 2), 'source description name "api" is used twice'],
      ['duplicate-step', lineOf(text, /- stepId: s/, 2), 'stepId "s" is used twice'],
      ['duplicate-workflow', lineOf(text, /- workflowId: a/, 2), 'workflowId "a" is used twice'],
      ['dependency-cycle', lineOf(text, /dependsOn: \[a, b\]/), 'dependsOn forms a cycle: a → b → c → a; none of these workflows could ever start'],
      ['dependency-cycle', lineOf(text, /dependsOn: \[a, b\]/), 'dependsOn forms a cycle: b → c → b; none of these workflows could ever start'],
    ],
  );
});

// ---------- fuzz: damaged seeds never crash the checks ----------

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = unknown;
function paths(value: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

const REPLACEMENTS: Json[] = [42, -1, 0.5, 'text', '$steps.nope.outputs.x', '{$inputs', true, null, [], {}, [1, 'a'], { x: 1 }, '$response.body#/a'];

function mutate(doc: Json, random: () => number): Json {
  const copy = structuredClone(doc);
  const all = paths(copy).filter((p) => p.length > 0);
  const target = all[Math.floor(random() * all.length)];
  const parent = target.slice(0, -1).reduce<any>((v, k) => v[k], copy);
  const key = target[target.length - 1];
  const op = random();
  if (op < 0.35) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (op < 0.8) {
    parent[key] = structuredClone(REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)]);
  } else if (op < 0.9 && !Array.isArray(parent)) {
    parent[`${String(key)}x`] = parent[key];
    delete parent[key];
  } else if (Array.isArray(parent)) {
    parent.push(structuredClone(parent[Number(key)]));
  } else parent[key] = String(parent[key]);
  return copy;
}

test('fuzz: random deletions and type changes of the seeds give diagnostics, never a thrown TypeError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arazzo-fuzz-'));
  try {
    mkdirSync(join(dir, 'arazzo'));
    symlinkSync(join(ROOT, 'openapi'), join(dir, 'openapi'));
    symlinkSync(join(ROOT, 'asyncapi'), join(dir, 'asyncapi'));
    const random = prng(20260517);
    let refused = 0;
    let accepted = 0;
    for (const seed of readdirSync(SEEDS)) {
      const original = parseYaml(readFileSync(join(SEEDS, seed), 'utf8'));
      for (let i = 0; i < 60; i++) {
        let doc = original;
        const n = 1 + Math.floor(random() * 3);
        for (let k = 0; k < n; k++) doc = mutate(doc, random);
        const file = join(dir, 'arazzo', `${i}-${seed}`);
        writeFileSync(file, stringify(doc));
        try {
          await prepareDocument(file);
          accepted++;
        } catch (err) {
          assert.ok(err instanceof DocumentError, `${seed} mutation ${i} threw ${(err as Error).stack}\n${stringify(doc)}`);
          assert.ok(!err.diagnostics.some((d) => d.code === 'internal-error'), `${seed} mutation ${i}: ${err.message}\n${stringify(doc)}`);
          for (const d of err.diagnostics) assert.ok(d.pos?.file && d.message, JSON.stringify(d));
          refused++;
        }
      }
    }
    assert.ok(refused > 100 && accepted > 10, `refused ${refused}, accepted ${accepted}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
