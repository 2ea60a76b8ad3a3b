// Lint findings point at the exact node (the condition of a criterion, the value of a parameter, an output),
// through workflow-level action lists and component references; $steps references must name steps that can
// run before (a forward reference outside a loop is an error).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareDocument } from '../../src/load/prepare';
import { DocumentError } from '../../src/core/diagnostics';
import type { Diagnostic } from '../../src/core/types';

const ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'arazzo-lint-'));
symlinkSync(join(ROOT, 'test/conformance/openapi.yaml'), join(dir, 'openapi.yaml'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const HEAD = `arazzo: 1.0.1
info: {title: lint, version: 1.0.0}
sourceDescriptions:
- name: api
  url: ./openapi.yaml
  type: openapi
`;

async function findings(body: string, opts: { components?: string } = {}): Promise<{ text: string; diagnostics: Diagnostic[] }> {
  const text = `${HEAD}${opts.components ?? ''}workflows:\n${body}`;
  const file = join(dir, `doc-${n++}.arazzo.yaml`);
  writeFileSync(file, text);
  try {
    return { text, diagnostics: (await prepareDocument(file)).diagnostics };
  } catch (err) {
    assert.ok(err instanceof DocumentError, String(err));
    return { text, diagnostics: err.diagnostics };
  }
}

const lineOf = (text: string, pattern: RegExp) => {
  const index = text.split('\n').findIndex((l) => pattern.test(l));
  assert.ok(index >= 0, `${pattern} not found`);
  return index + 1;
};

function at(ds: Diagnostic[], code: string): Diagnostic {
  const found = ds.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(ds, null, 1)}`);
  return found[0];
}

test('positions: criteria, parameters, payload leaves and outputs are located exactly', async () => {
  const { text, diagnostics } = await findings(`- workflowId: w
  steps:
  - stepId: s
    operationId: echoPost
    parameters:
    - name: Authorization
      in: header
      value: Bearer $inputs.token
    requestBody:
      contentType: application/json
      payload:
        deep:
          list:
          - ok
          - 'x {$inputs.bad'
    successCriteria:
    - condition: $statusCode == 200
    - condition: $response.body#/a == "x"
    outputs:
      bad name: $response.body#/a
  outputs:
    total: $steps.s.outputs.nope
`);
  assert.equal(at(diagnostics, 'unbraced-expression').pos?.line, lineOf(text, /value: Bearer/));
  assert.equal(at(diagnostics, 'bad-expression').pos?.line, lineOf(text, /\{\$inputs\.bad/));
  assert.equal(at(diagnostics, 'double-quoted-string').pos?.line, lineOf(text, /== "x"/));
  assert.equal(at(diagnostics, 'bad-output-name').pos?.line, lineOf(text, /bad name:/));
  const ref = at(diagnostics, 'unknown-output-reference');
  assert.equal(ref.pos?.line, lineOf(text, /total: \$steps\.s\.outputs\.nope/));
  assert.equal(ref.stepId, undefined);
  for (const d of diagnostics) assert.equal(d.workflowId, 'w');
});

test('positions: criteria of workflow-level actions and of component actions, and component parameters', async () => {
  const { text, diagnostics } = await findings(
    `- workflowId: w
  successActions:
  - name: viaWorkflow
    type: end
    criteria:
    - condition: $statusCode = 200
  steps:
  - stepId: s
    operationId: echoGet
    parameters:
    - reference: $components.parameters.auth
    onFailure:
    - reference: $components.failureActions.again
`,
    {
      components: `components:
  parameters:
    auth:
      name: Authorization
      in: header
      value: Bearer $inputs.token
  failureActions:
    again:
      name: again
      type: retry
      criteria:
      - condition: $statusCode === 503
`,
    },
  );
  const bad = diagnostics.filter((d) => d.code === 'bad-criterion');
  assert.deepEqual(bad.map((d) => d.pos?.line).sort((a, b) => a! - b!), [lineOf(text, /=== 503/), lineOf(text, /\$statusCode = 200/)].sort((a, b) => a - b));
  for (const d of bad) assert.equal(d.stepId, 's');
  assert.equal(at(diagnostics, 'unbraced-expression').pos?.line, lineOf(text, /value: Bearer/));
});

test('forward references: a later step that never runs before is an error; inside a loop it is allowed', async () => {
  const forward = await findings(`- workflowId: w
  steps:
  - stepId: first
    operationId: echoGet
    parameters:
    - name: q
      in: query
      value: $steps.second.outputs.total
  - stepId: second
    operationId: getData
    outputs:
      total: $response.body#/total
`);
  const d = at(forward.diagnostics, 'forward-step-reference');
  assert.equal(d.pos?.line, lineOf(forward.text, /value: \$steps\.second/));
  assert.equal(d.stepId, 'first');
  assert.match(d.message, /step second, which runs after step first and no goto leads from it back to step first/);

  const loop = await findings(`- workflowId: w
  steps:
  - stepId: first
    operationId: echoGet
    parameters:
    - name: q
      in: query
      value: $steps.second.outputs.total
  - stepId: second
    operationId: getData
    outputs:
      total: $response.body#/total
    onSuccess:
    - name: again
      type: goto
      stepId: first
      criteria:
      - condition: $response.body#/total < 3
    - name: stop
      type: end
`);
  assert.deepEqual(loop.diagnostics.filter((x) => x.severity === 'error'), []);
});

test('self references: only a retry or a loop lets a step read its own earlier outputs', async () => {
  const self = await findings(`- workflowId: w
  steps:
  - stepId: only
    operationId: echoGet
    parameters:
    - name: q
      in: query
      value: $steps.only.outputs.q
    outputs:
      q: $response.body#/query/q
`);
  assert.match(at(self.diagnostics, 'forward-step-reference').message, /that is itself, and no retry or goto leads back to it/);

  const retried = await findings(`- workflowId: w
  steps:
  - stepId: only
    operationId: echoGet
    parameters:
    - name: q
      in: query
      value: $steps.only.outputs.q
    outputs:
      q: $response.body#/query/q
    onFailure:
    - name: again
      type: retry
`);
  assert.deepEqual(retried.diagnostics.filter((x) => x.severity === 'error'), []);
});

test('the poll warning points at the action that loops', async () => {
  const { text, diagnostics } = await findings(`- workflowId: w
  steps:
  - stepId: poll
    operationId: getJob
    parameters:
    - name: jobId
      in: path
      value: j
    onSuccess:
    - name: done
      type: end
      criteria:
      - condition: $response.body#/status == 'done'
    - name: wait
      type: goto
      stepId: poll
      criteria:
      - condition: $response.body#/status == 'running'
`);
  assert.equal(at(diagnostics, 'poll-without-failure-branch').pos?.line, lineOf(text, /name: wait/));
});
