// Arazzo 1.1 at compile time: the 1.1 schema (what it adds to 1.0 and what stays 1.0-only), `in: querystring`
// (compiled with its media type, refused beside query parameters, serialized per the media type), and step-level
// dependsOn (entries resolved, unknown ones and cycles refused at the entry's line, the plan's step order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDocument } from '../../src/load/prepare';
import { DocumentError } from '../../src/core/diagnostics';
import { buildRequest } from '../../src/core/request';
import { serializeQuerystring } from '../../src/core/compile/querystring';
import type { Diagnostic } from '../../src/core/types';
import type { OperationStep } from '../../src/core/plan';

const OPENAPI = `openapi: 3.2.0
info: { title: t, version: '1' }
servers: [{ url: 'http://127.0.0.1:9/v1' }]
paths:
  /search:
    get:
      operationId: search
      parameters:
      - name: q
        in: querystring
        content:
          application/json:
            schema: { type: object }
      responses: { '200': { description: ok } }
  /list:
    get:
      operationId: list
      parameters:
      - { name: page, in: query, schema: { type: integer } }
      responses: { '200': { description: ok } }
  /n:
    get:
      operationId: plain
      responses: { '200': { description: ok } }
`;

function write(doc: string, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'arazzo-11-'));
  writeFileSync(join(dir, 'api.yaml'), OPENAPI);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'doc.arazzo.yaml'), doc);
  return join(dir, 'doc.arazzo.yaml');
}

const header = (version = '1.1.0', sources = '') => `arazzo: ${version}
info: { title: t, version: '1' }
sourceDescriptions:
- { name: api, url: ./api.yaml, type: openapi }
${sources}workflows:
`;

async function errorsOf(file: string): Promise<Diagnostic[]> {
  try {
    await prepareDocument(file);
  } catch (err) {
    assert.ok(err instanceof DocumentError, String(err));
    return err.diagnostics.filter((d) => d.severity === 'error');
  }
  assert.fail(`${file} prepared without error`);
}

const lineOf = (file: string, text: string, after = 0) => {
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.findIndex((l, i) => i >= after && l.includes(text)) + 1;
};

test('1.1 schema: $self without a fragment, dependsOn entry forms, action parameters need a workflowId', async () => {
  const base = `- workflowId: w
  steps:
  - stepId: a
    operationId: plain
`;
  assert.ok((await prepareDocument(write(header().replace('info:', '$self: https://example.com/doc.arazzo.yaml\ninfo:') + base))).plan);
  const frag = await errorsOf(write(header().replace('info:', '$self: https://example.com/doc.arazzo.yaml#x\ninfo:') + base));
  assert.match(frag[0].message, /"\$self" .* must not contain a fragment/);
  const form = write(header() + base + `  - stepId: b\n    operationId: plain\n    dependsOn: [$steps.a]\n`);
  const e = await errorsOf(form);
  assert.equal(e[0].code, 'schema');
  assert.match(e[0].message, /must be a stepId of this workflow, \$workflows\.<workflowId>\.steps\.<stepId> or \$sourceDescriptions/);
  assert.equal(e[0].pos?.line, lineOf(form, 'dependsOn: [$steps.a]'));
  const empty = await errorsOf(write(header() + base + `    dependsOn: []\n`));
  assert.match(empty[0].message, /must not be an empty list/);
  const params = await errorsOf(
    write(header() + base + `    onSuccess:\n    - { name: x, type: goto, stepId: a, parameters: [{ name: p, value: 1 }] }\n`),
  );
  assert.match(params.map((d) => d.message).join(' | '), /missing the required field "workflowId"/);
});

test('1.0.x documents keep the 1.0 schema: in: querystring and $self are refused there', async () => {
  const doc = `- workflowId: w
  steps:
  - stepId: a
    operationId: search
    parameters:
    - { name: q, in: querystring, value: 'x=1' }
`;
  const errors = await errorsOf(write(header('1.0.1') + doc));
  assert.match(errors[0].message, /must be one of "path", "query", "header", "cookie", not "querystring"/);
  assert.ok((await prepareDocument(write(header('1.1.0') + doc))).plan);
  const self = await errorsOf(
    write(header('1.0.1').replace('info:', '$self: https://example.com/a\ninfo:') + doc.replace('querystring', 'query')),
  );
  assert.equal(self[0].code, 'unknown-field');
});

test('querystring: compiled with the operation parameter media type; refused beside query parameters, or twice', async () => {
  const ok = await prepareDocument(
    write(
      header() +
        `- workflowId: w\n  steps:\n  - stepId: a\n    operationId: search\n    parameters:\n    - { name: q, in: querystring, value: $inputs.q }\n`,
    ),
  );
  const step = ok.plan.steps[0] as OperationStep;
  assert.deepEqual(step.parameters, [{ name: 'q', in: 'querystring', value: '$inputs.q', contentType: 'application/json' }]);
  const beside = write(
    header() +
      `- workflowId: w\n  steps:\n  - stepId: a\n    operationId: plain\n    parameters:\n    - { name: q, in: querystring, value: 'a=1' }\n    - { name: page, in: query, value: 2 }\n`,
  );
  const e1 = await errorsOf(beside);
  assert.equal(e1[0].code, 'querystring-with-query');
  assert.equal(e1[0].pos?.line, lineOf(beside, 'name: page'));
  const declared = write(
    header() +
      `- workflowId: w\n  steps:\n  - stepId: a\n    operationId: list\n    parameters:\n    - { name: q, in: querystring, value: 'a=1' }\n`,
  );
  assert.match((await errorsOf(declared))[0].message, /GET \/list declares query parameters \(e\.g\. "page"\)/);
  const onQs = write(
    header() +
      `- workflowId: w\n  steps:\n  - stepId: a\n    operationId: search\n    parameters:\n    - { name: page, in: query, value: 1 }\n`,
  );
  assert.match((await errorsOf(onQs))[0].message, /takes its query string as one parameter \("q", in: querystring\)/);
  const twice = write(
    header() +
      `- workflowId: w\n  steps:\n  - stepId: a\n    operationId: plain\n    parameters:\n    - { name: q, in: querystring, value: 'a=1' }\n    - { name: r, in: querystring, value: 'b=1' }\n`,
  );
  assert.equal((await errorsOf(twice))[0].code, 'querystring-twice');
});

test('querystring: serialized per the media type and sent as the whole query string', () => {
  const form = 'application/x-www-form-urlencoded';
  assert.equal(serializeQuerystring('a=1&b=two words', form), 'a=1&b=two%20words');
  assert.equal(serializeQuerystring('?a=1', form), 'a=1');
  assert.equal(serializeQuerystring({ a: 'x&y', list: [1, 2] }, form), 'a=x%26y&list=1&list=2');
  assert.equal(serializeQuerystring({ id: 1 }, 'application/json'), '%7B%22id%22%3A1%7D');
  assert.equal(serializeQuerystring('{"id":1}', 'application/json; charset=utf-8'), '%7B%22id%22%3A1%7D');
  const step = {
    stepId: 's',
    operation: { method: 'GET', path: '/search', serverUrl: 'http://h/v1' },
    parameters: [
      { name: 'q', in: 'querystring', value: '$inputs.q', contentType: form },
      { name: 'X-A', in: 'header', value: 'h' },
    ],
  } as unknown as OperationStep;
  const req = buildRequest(step, { inputs: { q: { term: 'a b' } }, steps: {} });
  assert.equal(req.url, 'http://h/v1/search?term=a+b');
  assert.deepEqual(req.query, {});
  assert.equal(buildRequest(step, { inputs: {}, steps: {} }).url, 'http://h/v1/search', 'an empty optional querystring is left out');
});

const stepsDoc = (steps: string, more = '') => header() + `- workflowId: w\n  steps:\n${steps}${more}`;
const s = (id: string, extra = '') => `  - stepId: ${id}\n    operationId: plain\n${extra}`;

test('step dependsOn: resolved into the plan, and the steps ordered so each follows the local steps it depends on', async () => {
  const { plan } = await prepareDocument(
    write(
      stepsDoc(
        s('a', '    dependsOn: [c]\n') + s('b') + s('c', '    dependsOn: [d]\n') + s('d'),
        `- workflowId: other\n  steps:\n${s('x')}`,
      ),
    ),
  );
  assert.deepEqual(
    plan.steps.map((x) => x.stepId),
    ['d', 'c', 'a', 'b'],
  );
  assert.deepEqual(plan.steps.find((x) => x.stepId === 'a')?.dependsOn, [{ ref: 'c', stepId: 'c' }]);
  const cross = await prepareDocument(
    write(stepsDoc(s('a', '    dependsOn: [$workflows.other.steps.x]\n'), `- workflowId: other\n  steps:\n${s('x')}`)),
  );
  assert.deepEqual(cross.plan.steps[0].dependsOn, [{ ref: '$workflows.other.steps.x', stepId: 'x', workflowId: 'other' }]);
  const unchanged = await prepareDocument(write(stepsDoc(s('a') + s('b', '    dependsOn: [a]\n'))));
  assert.deepEqual(
    unchanged.plan.steps.map((x) => x.stepId),
    ['a', 'b'],
  );
});

test('step dependsOn: unknown steps, workflows and sources, self-dependencies and cycles are errors at the entry', async () => {
  const unknown = write(stepsDoc(s('getToken') + s('b', '    dependsOn:\n    - getTokens\n')));
  const [e] = await errorsOf(unknown);
  assert.equal(e.code, 'unknown-step');
  assert.match(e.message, /did you mean "getToken"/);
  assert.equal(e.pos?.line, lineOf(unknown, '- getTokens'));
  assert.equal(e.stepId, 'b');
  const self = await errorsOf(write(stepsDoc(s('a', '    dependsOn: [a]\n'))));
  assert.match(self[0].message, /a step cannot depend on itself/);
  const wf = await errorsOf(write(stepsDoc(s('a', '    dependsOn: [$workflows.nope.steps.x]\n'))));
  assert.equal(wf[0].code, 'unknown-workflow');
  const st = await errorsOf(
    write(stepsDoc(s('a', '    dependsOn: [$workflows.other.steps.thin]\n'), `- workflowId: other\n  steps:\n${s('thing')}`)),
  );
  assert.match(st[0].message, /workflow other has no step "thin" \(did you mean "thing"\?\)/);
  const src = await errorsOf(write(stepsDoc(s('a', '    dependsOn: [$sourceDescriptions.api.w.steps.x]\n'))));
  assert.equal(src[0].code, 'not-an-arazzo-source');
  const cyclic = write(stepsDoc(s('a', '    dependsOn: [b]\n') + s('b', '    dependsOn: [c]\n') + s('c', '    dependsOn: [a]\n')));
  const cycles = await errorsOf(cyclic);
  assert.equal(cycles.length, 1, 'one cycle, reported once');
  assert.equal(cycles[0].code, 'dependency-cycle');
  assert.match(cycles[0].message, /a → b → c → a/);
  assert.equal(cycles[0].pos?.line, lineOf(cyclic, 'dependsOn: [a]'));
});

test('step dependsOn on a step of another Arazzo document: the document, workflow and step must exist', async () => {
  const other = `arazzo: 1.1.0\ninfo: { title: o, version: '1' }\nsourceDescriptions:\n- { name: api, url: ./api.yaml, type: openapi }\nworkflows:\n- workflowId: remote\n  steps:\n${s('r')}`;
  const sources = `- { name: flows, url: ./other.arazzo.yaml, type: arazzo }\n`;
  const good = write(
    header('1.1.0', sources) + `- workflowId: w\n  steps:\n${s('a', '    dependsOn: [$sourceDescriptions.flows.remote.steps.r]\n')}`,
    { 'other.arazzo.yaml': other },
  );
  const { plan } = await prepareDocument(good);
  assert.deepEqual(plan.steps[0].dependsOn, [{ ref: '$sourceDescriptions.flows.remote.steps.r', stepId: 'r', workflowId: 'remote' }]);
  const bad = write(
    header('1.1.0', sources) + `- workflowId: w\n  steps:\n${s('a', '    dependsOn: [$sourceDescriptions.flows.remote.steps.q]\n')}`,
    { 'other.arazzo.yaml': other },
  );
  assert.match((await errorsOf(bad))[0].message, /workflow remote has no step "q"/);
});
