// validate --graph: plan → Mermaid flowchart text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { prepareDocument } from '../../src/load/prepare';
import { mermaidText, planToMermaid } from '../../src/core/graph';

const ROOT = resolve(__dirname, '../..');
const graphOf = async (file: string) => planToMermaid((await prepareDocument(join(ROOT, file))).plan);

test('graph: labels escape what Mermaid would read as syntax or Markdown', () => {
  assert.equal(mermaidText(`$.status == "done" || a < b && c > d`), '$.status == #quot;done#quot; #124;#124; a #lt; b #38;#38; c #gt; d');
  assert.equal(mermaidText('$response.body#/a_b [0] {x} *y* `z`'), '$response.body#35;/a#95;b #91;0#93; #123;x#125; #42;y#42; #96;z#96;');
  assert.equal(mermaidText('x'.repeat(200)).length, 90);
});

test('graph: the OpenAI batch seed — steps in order, poll self-loop with its criteria, unmatched poll and failures dashed to "run fails"', async () => {
  const text = await graphOf('arazzo/openai-batch-job.arazzo.yaml');
  const lines = text.trim().split('\n');
  assert.equal(lines[0], 'flowchart TD');
  assert.deepEqual(
    lines.filter((l) => /^ {2}s\d\[/.test(l)),
    ['  s0["1. uploadInput<br/>POST /files"]', '  s1["2. createBatch<br/>POST /batches"]', '  s2["3. pollBatch<br/>GET /batches/#123;batch#95;id#125;"]', '  s3["4. getResult<br/>GET /batches/#123;batch#95;id#125;"]'],
  );
  assert.ok(lines.includes('  start --> s0'));
  assert.ok(lines.includes('  s0 --> s1'));
  assert.ok(lines.includes('  s2 -->|"batchCompleted when jsonpath: $.status == #quot;completed#quot;"| s3'), text);
  assert.ok(lines.some((l) => l.startsWith('  s2 -->|"batchProcessing when ') && l.endsWith('| s2')), 'the poll loops on itself');
  assert.ok(lines.includes('  s2 -.->|"no action matched"| fail'));
  assert.ok(lines.includes('  s3 --> done'));
  assert.ok(lines.includes('  s0 -.->|"failed"| fail'));
  assert.ok(lines.includes('  done(["end: outputs"])') && lines.includes('  fail(["run fails"])'));
});

test('graph: retry loops show retryAfter and retryLimit; failure gotos and end actions are edges', async () => {
  const retry = await graphOf('test/conformance/cases/29-retry-exhausted-next-action.arazzo.yaml');
  assert.match(retry, /\n {2}s0 -\.->\|"retry again \(after 0\.05s, at most 2×\)"\| s0\n/);
  assert.match(retry, /\n {2}s0 -\.->\|"giveUp"\| s2\n/);
  assert.match(retry, /\n {2}s1 -->\|"end: stop"\| done\n/);
  assert.doesNotMatch(retry, /s0 -\.->\|"failed/, 'an unconditional failure action handles every failure');

  const failureEnd = await graphOf('test/conformance/cases/33-failure-end.arazzo.yaml');
  assert.match(failureEnd, /\n {2}s0 -\.->\|"end: stopHere"\| fail\n/);

  const actions = await graphOf('test/conformance/cases/23-action-criteria.arazzo.yaml');
  assert.match(actions, /\n {2}s0 -->\|"ifCreated when \$statusCode == 201 #38;#38; \$response\.body#35;\/code == 201"\| s2\n/);
  assert.match(actions, /\n {2}s0 -->\|"otherwise"\| s1\n/);
});

test('graph: workflow-level actions are drawn for every step that uses them', async () => {
  const text = await graphOf('test/conformance/cases/34-workflow-level-actions.arazzo.yaml');
  assert.match(text, /\n {2}s0 -->\|"end: finishEarly when \$response\.body#35;\/query\/q == 'stop'"\| done\n/);
  assert.match(text, /\n {2}s1 -\.->\|"overrides"\| s3\n/, 'the step list replaces the workflow list');
  assert.doesNotMatch(text, /\n {2}s1 -\.->\|"toRecovery"/);
  assert.match(text, /\n {2}s3 -\.->\|"toRecovery"\| s5\n/);
});

test('graph: a poll whose two branches are X == v / X != v has no "no action matched" edge', async () => {
  const text = await graphOf('test/conformance/cases/42-poll-until-done.arazzo.yaml');
  assert.match(text, /\n {2}s1 -->\|"waiting when \$response\.body#35;\/status != 'done'"\| s1\n/);
  assert.doesNotMatch(text, /no action matched/);
  assert.match(await graphOf('test/conformance/cases/43-poll-unmatched-status.arazzo.yaml'), /\n {2}s1 -\.->\|"no action matched"\| fail\n/);
});
