// The rest of Arazzo 1.0.1 on a real Temporal dev server, against a small HTTP API (test/helpers/spec-api.ts):
// child workflows (local and from another Arazzo document), dependsOn, goto workflowId, retry that first runs a
// step or a workflow, step timeouts, xpath criteria, components.inputs, $sourceDescriptions.<name>.url, request
// body replacements, workflow-level actions with step overrides. Every case checks the run's outputs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DocumentError, failureMessage } from '../../src/client';
import { WORKFLOW_TYPE } from '../../src/config';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { workflowBundle } from '../../src/worker';
import { startStack, type Stack } from '../helpers/stack';
import { startSpecApi, type SpecApi } from '../helpers/spec-api';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'spec-features');
const DOC = join(FIXTURES, 'main.arazzo.yaml');

let stack: Stack;
let api: SpecApi;

before(async () => {
  [stack, api] = await Promise.all([startStack(), startSpecApi()]);
});
after(async () => {
  await stack?.stop();
  await api?.close();
});

const start = (workflowId: string, inputs: Record<string, unknown> = {}) =>
  stack.client.start({ document: DOC, workflowId, inputs, servers: { api: api.url, 'shared.catalog': api.url }, poll: stack.poll });

async function run(workflowId: string, inputs: Record<string, unknown> = {}) {
  const started = await start(workflowId, inputs);
  return { ...(await started.handle.result()), id: started.workflowId };
}

const describeRun = (id: string) => stack.client.handle(id).describe();

describe('child workflows', () => {
  test('a step with workflowId runs the workflow as a child; its outputs reach $workflows and the step outputs', async () => {
    const r = await run('checkout', { itemId: '7', qty: 3 });
    assert.equal(r.outputs.name, 'item-7');
    // request body replacements applied after the payload's expressions
    assert.deepEqual(r.outputs.order, { orderId: (r.outputs.order as { orderId: string }).orderId, item: 'item-7', qty: 3, note: 'priced 70' });
    const child = await describeRun(`${r.id}/lookup/1`);
    assert.equal(child.type, 'arazzoWorkflow');
    assert.equal(child.status.name, 'COMPLETED');
    assert.equal(child.parentExecution?.workflowId, r.id);
    const result = await stack.client.handle(`${r.id}/lookup/1`).result();
    assert.deepEqual(result.outputs, { name: 'item-7', price: 70 });
  });

  test('a child from another Arazzo document, its own source description resolved relative to it', async () => {
    const r = await run('crossDocument', { itemId: '4' });
    assert.deepEqual(r.outputs, { price: 40, catalogUrl: join(FIXTURES, 'api.openapi.yaml') });
    assert.equal((await describeRun(`${r.id}/price/1`)).status.name, 'COMPLETED');
  });

  test("a child from another Arazzo document gets its inputs schema's defaults, as the root does", async () => {
    const r = await run('crossDocumentDefault');
    // priceOf's itemId has default '5' (test/fixtures/spec-features/shared.arazzo.yaml); the api prices item n at 10n
    assert.deepEqual(r.outputs, { price: 50 });
  });

  test('a child that fails fails its step: with no failure action the run fails naming both', async () => {
    await assert.rejects(run('checkout', { itemId: 'missing', qty: 1 }), (err: unknown) => {
      const msg = failureMessage(err);
      assert.match(msg, /step lookup failed: workflow getItem failed: step fetch failed: HTTP 404/);
      return true;
    });
  });

  test('a child that fails: the failure actions apply (workflow-level, criteria without $statusCode), step lists override', async () => {
    const failed = await run('childFailure', { itemId: 'missing', key: 'cf-missing' });
    assert.deepEqual(failed.outputs, { recovered: 1, last: 2 });
    assert.equal(failed.endedBy.action, 'skipToEnd');
    const ok = await run('childFailure', { itemId: '3', key: 'cf-ok' });
    assert.deepEqual(ok.outputs, { name: 'item-3' });
    assert.deepEqual(ok.endedBy, { stepId: 'lookup', action: 'skipToEnd' });
  });
});

describe('dependsOn', () => {
  test('dependencies run first as children, with the inputs they declare; their outputs are $workflows.<id>.outputs', async () => {
    const itemGets = api.count('GET', '/items/5');
    const r = await run('withDependencies', { itemId: '5', key: 'deps' });
    assert.deepEqual(r.outputs, { name: 'item-5', price: 50, from: 'item-5' });
    assert.equal(api.count('GET', '/items/5') - itemGets, 2, 'each dependency ran once');
    for (const key of ['getItem', 'shared.priceOf']) {
      const d = await describeRun(`${r.id}/dependsOn/${key}`);
      assert.equal(d.status.name, 'COMPLETED', key);
    }
    const input = (await stack.client.handle(`${r.id}/dependsOn/getItem`).fetchHistory()).events?.[0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const args = JSON.parse(Buffer.from(input!.data!).toString('utf8'));
    assert.deepEqual(args.inputs, { itemId: '5' }, 'the dependency gets only the inputs it declares');
  });
});

describe('goto workflowId', () => {
  test('transfers the run: the result is the target workflow’s outputs, endedBy says so', async () => {
    const r = await run('transfer', { itemId: '2', key: 'transfer' });
    assert.deepEqual(r.outputs, { name: 'item-2', price: 20 });
    assert.deepEqual(r.endedBy, { stepId: 'first', action: 'handOver', transferredTo: { workflowId: 'getItem', childWorkflowId: `${r.id}/first/1/handOver` } });
    assert.equal(api.count('GET', '/counter/never-reached'), 0);
  });
});

describe('retry that first runs a step or a workflow', () => {
  test('retry with stepId runs the token step again before retrying', async () => {
    const r = await run('retryWithStep', { key: 'rs' });
    assert.deepEqual(r.outputs, { token: 'tok-2', ok: true });
    assert.equal(api.count('POST', '/tokens/rs'), 2);
    assert.equal(api.count('GET', '/protected/rs'), 2);
  });

  test('retry with workflowId runs that workflow as a child before each retry, counting against retryLimit', async () => {
    const r = await run('retryWithWorkflow', { key: 'rw' });
    assert.deepEqual(r.outputs, { token: 'tok-2', ok: true });
    assert.equal(api.count('POST', '/tokens/rw'), 2);
    assert.equal(api.count('GET', '/protected/rw'), 3);
    assert.equal((await describeRun(`${r.id}/call/2/refresh`)).status.name, 'COMPLETED');
  });
});

describe('step timeout (Arazzo 1.1)', () => {
  test('a slow request and a slow child workflow time out; their steps fail and onFailure applies', async () => {
    const t0 = Date.now();
    const r = await run('timeouts', { key: 'timeouts' });
    assert.deepEqual(r.outputs, { count: 1 });
    assert.ok(Date.now() - t0 < 6000, `took ${Date.now() - t0} ms`);
    assert.equal(api.count('GET', '/counter/never-reached'), 0);
    assert.equal((await describeRun(`${r.id}/slowWorkflow/1`)).status.name, 'TIMED_OUT');
    assert.deepEqual(
      r.trace.map((t) => [t.stepId, t.success, t.action]),
      [
        ['slowRequest', false, 'onwards'],
        ['slowWorkflow', false, 'fallback'],
        ['fallback', true, undefined],
      ],
    );
  });
});

describe('xpath criteria', () => {
  test('XPath 1.0 success criteria and XPath 3.0 / default action criteria on an XML body', async () => {
    const r = await run('xpath');
    assert.deepEqual(r.outputs, { small: 'xpath-small' });
    assert.equal(api.count('GET', '/counter/xpath-large'), 0);
  });
});

describe('components and source descriptions', () => {
  test('components.inputs through $ref: the inputs are checked against the component before anything starts', async () => {
    const r = await run('getItem', { itemId: '9' });
    assert.deepEqual(r.outputs, { name: 'item-9', price: 90 });
    await assert.rejects(start('getItem', {}), (err: unknown) => err instanceof DocumentError && /missing required input "itemId"/.test(err.message));
  });

  test('$sourceDescriptions.<name>.url is the url resolved against the document, as an output and inside a value', async () => {
    const r = await run('sourceUrl', { key: 'urls' });
    const url = join(FIXTURES, 'api.openapi.yaml');
    assert.deepEqual(r.outputs, { url, sharedUrl: join(FIXTURES, 'shared.arazzo.yaml'), from: `spec at ${url}` });
  });
});

describe('determinism', () => {
  test('a run with child workflows, dependencies and a transfer replays from its history', async () => {
    const bundle = await workflowBundle();
    for (const [wf, inputs] of [
      ['withDependencies', { itemId: '6', key: 'replay' }],
      ['transfer', { itemId: '6', key: 'replay-transfer' }],
      ['retryWithWorkflow', { key: 'replay-rw' }],
    ] as const) {
      const r = await run(wf, inputs);
      const history = await stack.client.handle(r.id).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, r.id);
    }
  });
});

describe('plan versions', () => {
  test('a plan of a version the worker does not know fails the run at once, naming the version (no workflow-task retries)', async () => {
    const { plan } = await stack.client.prepare({ document: DOC, workflowId: 'getItem', inputs: { itemId: '1' }, servers: { api: api.url } });
    const id = `unknown-plan-version-${Date.now()}`;
    const handle = await stack.client.client.workflow.start(WORKFLOW_TYPE, { workflowId: id, taskQueue: stack.client.settings.taskQueue, args: [{ plan: { ...plan, planVersion: 99 }, inputs: { itemId: '1' } }] });
    await assert.rejects(handle.result(), (err: unknown) => {
      const cause = (err as { cause?: { type?: string; nonRetryable?: boolean; message?: string } }).cause;
      assert.equal(cause?.type, 'ArazzoPlanVersion');
      assert.equal(cause?.nonRetryable, true);
      assert.match(cause?.message ?? '', /planVersion 99/);
      return true;
    });
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(events.filter((e) => e.workflowTaskFailedEventAttributes).length, 0, 'no workflow task failed');
  });
});
