// Starting a run by reference from clients this project did not write: the Temporal CLI (`workflow start`,
// `schedule create`), the Python SDK (temporalio from PyPI, in a venv this test creates), and raw starts through
// the TypeScript SDK alone. Every start the workflow cannot use fails at once, non-retryably, with a message, and
// never as a workflow task retried forever.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { PROJECT_ROOT, findTemporalCli } from '../../src/temporal/dev-server';
import { startStack, waitFor, type Stack } from '../helpers/stack';

let stack: Stack;
let dir: string;
before(async () => {
  process.env.ARAZZO_DOCUMENTS = PROJECT_ROOT;
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), 'run-request-'));
});
after(() => stack?.stop());

const batchInputs = () => JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples/inputs/openai-batch-job.json'), 'utf8'));
const batchRequest = () => ({
  document: 'arazzo/openai-batch-job.arazzo.yaml',
  inputs: batchInputs(),
  servers: { openaiApi: `${stack.simulator.url}/v1` },
  options: { poll: { interval: '200ms', maxInterval: '1s' } },
});

function run(cmd: string, args: string[], timeout = 180_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: PROJECT_ROOT, env: process.env, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const temporal = (...args: string[]) => run(findTemporalCli() ?? 'temporal', [...args, '--address', stack.server.address]);

/** The run's history: how many workflow tasks failed (must be none), and how it closed. */
async function historyOf(workflowId: string) {
  const history = await stack.client.client.workflow.getHandle(workflowId).fetchHistory();
  const types = (history.events ?? []).map((e) => String(e.eventType));
  return { types, taskFailures: types.filter((t) => /WORKFLOW_TASK_FAILED|WorkflowTaskFailed|^8$/.test(t)).length, events: history.events ?? [] };
}

test('the Temporal CLI starts the batch seed by reference and `workflow result` prints its outputs', async () => {
  const file = join(dir, 'req.json');
  writeFileSync(file, JSON.stringify(batchRequest()));
  const id = `cli-by-ref-${Date.now()}`;
  const started = await temporal('workflow', 'start', '--type', 'arazzoWorkflow', '--task-queue', 'arazzo-temporal', '--workflow-id', id, '--input-file', file);
  assert.equal(started.code, 0, started.stderr);
  const result = await temporal('workflow', 'result', '--workflow-id', id, '--output', 'json');
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const parsed = JSON.parse(result.stdout);
  const outputs = (parsed.result ?? parsed).outputs;
  assert.match(outputs.outputFileId, /^file-/, result.stdout);
  assert.match(outputs.batchId, /^batch_/, result.stdout);
  // the plan is in history as the prepare activity's result: a replay never reads the document again
  const { types, taskFailures } = await historyOf(id);
  assert.equal(taskFailures, 0);
  const handle = stack.client.client.workflow.getHandle(id);
  const history = await handle.fetchHistory();
  const prepared = history.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'prepareRun');
  assert.ok(prepared, `no prepareRun activity in ${types.join(',')}`);
});

test('the Python SDK (temporalio from PyPI) starts the batch seed by reference and gets its outputs', async (t) => {
  let python: string | undefined;
  for (const p of ['python3', 'python']) {
    try {
      execFileSync(p, ['--version'], { stdio: 'ignore' });
      python = p;
      break;
    } catch {
      /* next */
    }
  }
  if (!python) {
    t.skip('python3 is not installed: the Python SDK test needs it');
    return;
  }
  const venv = join(PROJECT_ROOT, '.data', 'pyvenv');
  const py = join(venv, 'bin', 'python');
  if (!existsSync(py)) {
    mkdirSync(join(PROJECT_ROOT, '.data'), { recursive: true });
    const made = await run(python, ['-m', 'venv', venv]);
    assert.equal(made.code, 0, made.stderr);
  }
  const has = await run(py, ['-c', 'import temporalio']);
  if (has.code !== 0) {
    const pip = await run(py, ['-m', 'pip', 'install', '-q', 'temporalio'], 600_000);
    assert.equal(pip.code, 0, `pip install temporalio failed: ${pip.stderr}`);
  }
  const script = join(dir, 'start.py');
  writeFileSync(
    script,
    `import asyncio, json, os, sys
from temporalio.client import Client

async def main():
    client = await Client.connect(sys.argv[1])
    request = json.loads(sys.argv[2])
    result = await client.execute_workflow("arazzoWorkflow", request, id=sys.argv[3], task_queue="arazzo-temporal")
    print(json.dumps(result["outputs"]))

asyncio.run(main())
# as the README's script: temporalio/sdk-python#300 (an abort at interpreter teardown of a client-only process)
sys.stdout.flush()
os._exit(0)
`,
  );
  const id = `python-by-ref-${Date.now()}`;
  const r = await run(py, [script, stack.server.address, JSON.stringify(batchRequest()), id]);
  assert.equal(r.code, 0, r.stderr);
  const outputs = JSON.parse(r.stdout);
  assert.match(outputs.outputFileId, /^file-/);
  assert.match(outputs.batchId, /^batch_/);
});

test('`temporal schedule create --type arazzoWorkflow --input-file` fires a run that completes', async () => {
  const file = join(dir, 'sched.json');
  writeFileSync(file, JSON.stringify(batchRequest()));
  const scheduleId = `sched-by-ref-${Date.now()}`;
  const created = await temporal('schedule', 'create', '--schedule-id', scheduleId, '--type', 'arazzoWorkflow', '--task-queue', 'arazzo-temporal', '--workflow-id', `${scheduleId}-run`, '--input-file', file, '--interval', '1h');
  assert.equal(created.code, 0, created.stderr);
  try {
    const trigger = await temporal('schedule', 'trigger', '--schedule-id', scheduleId);
    assert.equal(trigger.code, 0, trigger.stderr);
    const handle = stack.client.client.schedule.getHandle(scheduleId);
    const action = await waitFor('the schedule to fire', async () => (await handle.describe()).info.recentActions[0]?.action, 30_000, 300);
    const result = (await stack.client.client.workflow.getHandle(action.workflow.workflowId).result()) as { outputs: Record<string, string> };
    assert.match(result.outputs.outputFileId, /^file-/);
  } finally {
    await temporal('schedule', 'delete', '--schedule-id', scheduleId);
  }
});

/** Start arazzoWorkflow with raw arguments through the SDK alone, and return how it failed. */
async function failedStart(args: unknown[]): Promise<{ failure: ApplicationFailure; taskFailures: number }> {
  const workflowId = `bad-start-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const handle = await stack.client.client.workflow.start('arazzoWorkflow', { workflowId, taskQueue: 'arazzo-temporal', args, workflowExecutionTimeout: '2m' });
  const err = await handle.result().then(
    () => assert.fail('the run should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, String(err));
  const failure = err.cause;
  assert.ok(failure instanceof ApplicationFailure, String(failure));
  assert.equal(failure.nonRetryable, true);
  return { failure, taskFailures: (await historyOf(workflowId)).taskFailures };
}

test('a start that is neither a plan nor a run request fails at once with a clear message, never a retried task', async () => {
  const cases: [unknown[], RegExp, string?][] = [
    [[], /started with no input/],
    [['arazzo/openai-batch-job.arazzo.yaml'], /started with a string/],
    [[{ doc: 'x' }], /neither "document" nor "plan"/],
    [[{ plan: { planVersion: 99, steps: [] }, inputs: {} }], /planVersion 99; this worker runs plan versions 1, 2/, 'ArazzoPlanVersion'],
    [[{ plan: { planVersion: 1, workflowId: 'w', steps: 'nope', outputs: {}, sources: {}, document: {} } }], /plan is damaged: "steps" is not a list/],
    [[{ document: 'arazzo/openai-batch-job.arazzo.yaml', version: 7 }], /run request version 7 is not supported/],
    [[{ document: 'arazzo/openai-batch-job.arazzo.yaml', input: {} }], /unknown field "input"/],
  ];
  for (const [args, message, type = 'ArazzoBadStart'] of cases) {
    const { failure, taskFailures } = await failedStart(args);
    assert.match(failure.message, message);
    assert.equal(failure.type, type);
    assert.equal(taskFailures, 0, `${JSON.stringify(args)} failed a workflow task`);
  }
});

test('paths that escape the document roots are refused before anything is read', async () => {
  for (const document of ['../etc/passwd', '/etc/passwd', 'arazzo/../../../etc/hostname', 'arazzo/missing.arazzo.yaml', 'http://127.0.0.1:1/x.yaml', 'https://127.0.0.1/x.yaml']) {
    const { failure } = await failedStart([{ document }]);
    assert.equal(failure.type, 'ArazzoRefusedDocument', `${document}: ${failure.message}`);
  }
});

test('an invalid document fails the run at once with the file:line messages of validate', async () => {
  const original = readFileSync(join(PROJECT_ROOT, 'arazzo/openai-batch-job.arazzo.yaml'), 'utf8');
  const text = original.replace('type: goto\n      stepId: getResult', 'type: goto\n      stepId: getResults');
  assert.notEqual(text, original);
  const { failure, taskFailures } = await failedStart([{ document: { inline: text, name: 'arazzo/broken.arazzo.yaml' }, inputs: batchInputs() }]);
  assert.equal(failure.type, 'ArazzoInvalidDocument');
  assert.match(failure.message, /broken\.arazzo\.yaml:\d+:\d+: error \[unknown-step\]/);
  assert.equal(taskFailures, 0);
  // missing inputs: the schema's messages
  const missing = await failedStart([{ document: 'arazzo/openai-batch-job.arazzo.yaml', inputs: {} }]);
  assert.equal(missing.failure.type, 'ArazzoInvalidInputs');
  assert.match(missing.failure.message, /missing required input "apiKey"/);
});

/** Fire a schedule now and wait for that firing's run to close; its result or its failure. */
async function fire(scheduleId: string): Promise<{ outputs?: Record<string, string>; failure?: ApplicationFailure }> {
  const handle = stack.client.client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.recentActions.length;
  await handle.trigger();
  const action = await waitFor('the schedule to fire', async () => (await handle.describe()).info.recentActions[before]?.action, 30_000, 300);
  try {
    return (await stack.client.client.workflow.getHandle(action.workflow.workflowId).result()) as { outputs: Record<string, string> };
  } catch (err) {
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
    return { failure: err.cause as ApplicationFailure };
  }
}

test('schedule create stores the reference: firings follow the document, --pin refuses a changed one', async () => {
  const here = join(PROJECT_ROOT, '.data', `e2e-schedule-${Date.now()}`);
  mkdirSync(here, { recursive: true });
  const doc = join(here, 'batch.arazzo.yaml');
  const original = readFileSync(join(PROJECT_ROOT, 'arazzo/openai-batch-job.arazzo.yaml'), 'utf8');
  writeFileSync(doc, original);
  const req = {
    document: doc,
    inputs: batchInputs(),
    servers: { openaiApi: `${stack.simulator.url}/v1` },
    sources: { openaiApi: join(PROJECT_ROOT, 'openapi/openai-openapi-master.yml') },
    poll: { initialIntervalMs: 200, maxIntervalMs: 1000 },
  };
  const ids = [`follow-${Date.now()}`, `pinned-${Date.now()}`];
  const followed = await stack.client.createSchedule(ids[0], req, { every: '24h' });
  assert.equal(followed.document, doc);
  assert.equal(followed.pin, undefined);
  await stack.client.createSchedule(ids[1], req, { every: '24h' }, { pin: true });
  try {
    const desc = await stack.client.client.schedule.getHandle(ids[0]).describe();
    const args = (desc.action as { args?: unknown[] }).args;
    assert.ok(args && !('plan' in (args[0] as object)), 'the schedule stores a compiled plan');
    assert.equal((await fire(ids[0])).outputs?.outputFileId?.startsWith('file-'), true);
    // a valid edit: the following schedule runs it, the pinned one refuses it, naming the step that changed
    writeFileSync(doc, original.replace('  - stepId: pollBatch\n', '  - stepId: pollBatch\n    x-note: edited\n'));
    assert.match((await fire(ids[0])).outputs?.outputFileId ?? '', /^file-/);
    const pinned = await fire(ids[1]);
    assert.equal(pinned.failure?.type, 'ArazzoDocumentChanged');
    assert.match(pinned.failure!.message, /changed since it was pinned.*step pollBatch of workflow batch-job changed/);
    // an edit that breaks it: that firing fails with the validation errors
    writeFileSync(doc, original.replace('type: goto\n      stepId: getResult', 'type: goto\n      stepId: getResults'));
    const broken = await fire(ids[0]);
    assert.equal(broken.failure?.type, 'ArazzoInvalidDocument');
    assert.match(broken.failure!.message, /batch\.arazzo\.yaml:\d+:\d+: error \[unknown-step\]/);
  } finally {
    for (const id of ids) await stack.client.deleteSchedule(id).catch(() => undefined);
    rmSync(here, { recursive: true, force: true });
  }
});

test('a document whose input has a default runs without it; with no default, the missing header is refused before the run', async () => {
  const corpus = join(PROJECT_ROOT, '..', 'shared', 'corpus');
  const here = join(PROJECT_ROOT, '.data', `e2e-defaults-${Date.now()}`);
  mkdirSync(join(here, 'arazzo'), { recursive: true });
  mkdirSync(join(here, 'openapi'));
  writeFileSync(join(here, 'openapi', 'anthropic-message-batches-api-openapi.yml'), readFileSync(join(corpus, 'openapi', 'anthropic-message-batches-api-openapi.yml')));
  // as third-party documents write it: the version is an input with a default, sent as the anthropic-version header
  const original = readFileSync(join(corpus, 'arazzo', 'anthropic-batch-cancel-and-confirm-workflow.yml'), 'utf8');
  const withDefault = original
    .replace(/value: "2023-06-01"/g, 'value: $inputs.anthropicVersion')
    .replace('    properties:\n      apiKey:', "    properties:\n      anthropicVersion:\n        type: string\n        default: '2023-06-01'\n      apiKey:");
  assert.match(withDefault, /default: '2023-06-01'/);
  writeFileSync(join(here, 'arazzo', 'with-default.yml'), withDefault);
  writeFileSync(join(here, 'arazzo', 'no-default.yml'), withDefault.replace("        default: '2023-06-01'\n", ''));
  const requests = [1, 2].map((i) => ({ custom_id: `r${i}`, params: { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: `hi ${i}` }] } }));
  const request = (doc: string) => ({
    document: join(here, 'arazzo', doc),
    inputs: { apiKey: { $secret: 'ANTHROPIC_API_KEY' }, requests },
    servers: { messageBatchesApi: `${stack.simulator.url}/v1` },
    options: { poll: { interval: '200ms', maxInterval: '1s' } },
  });
  stack.simulator.setTiming({ messageBatchInProgressMs: 60_000, messageBatchCancelingMs: 500 });
  try {
    const result = (await stack.client.client.workflow.execute('arazzoWorkflow', { workflowId: `defaults-${Date.now()}`, taskQueue: 'arazzo-temporal', args: [request('with-default.yml')] })) as { outputs: Record<string, unknown> };
    assert.equal(result.outputs.processingStatus, 'ended');
    const { failure } = await failedStart([request('no-default.yml')]);
    assert.equal(failure.type, 'ArazzoInvalidInputs');
    assert.match(failure.message, /\[missing-parameter-value\] \(workflow cancel-and-confirm-batch, step createBatch\): required header parameter "anthropic-version" is "\$inputs.anthropicVersion", and input "anthropicVersion" is not given and has no default/);
  } finally {
    stack.simulator.setTiming('fast');
    rmSync(here, { recursive: true, force: true });
  }
});

test('overlays of a run request are applied by the worker: `temporal workflow start`, and each firing of `schedule create --overlay`', async () => {
  const here = join(PROJECT_ROOT, '.data', `e2e-overlays-${Date.now()}`);
  mkdirSync(here, { recursive: true });
  const overlay = join(here, 'mark.overlay.yaml');
  // adds a workflow output: it is in the run's outputs only if the worker applied the overlay
  const mark = (expr: string) => `overlay: 1.0.0\ninfo:\n  title: mark\n  version: 1.0.0\nactions:\n- target: $.workflows[?@.workflowId == 'batch-job'].outputs\n  update:\n    overlayMark: ${expr}\n`;
  writeFileSync(overlay, mark('$steps.createBatch.outputs.batchId'));
  const scheduleId = `sched-overlay-${Date.now()}`;
  try {
    // the Temporal CLI, the overlay named relative to the document root
    const file = join(here, 'req.json');
    writeFileSync(file, JSON.stringify({ ...batchRequest(), overlays: [overlay.slice(PROJECT_ROOT.length + 1)] }));
    const id = `cli-overlay-${Date.now()}`;
    const started = await temporal('workflow', 'start', '--type', 'arazzoWorkflow', '--task-queue', 'arazzo-temporal', '--workflow-id', id, '--input-file', file);
    assert.equal(started.code, 0, started.stderr);
    const result = await temporal('workflow', 'result', '--workflow-id', id, '--output', 'json');
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const outputs = (JSON.parse(result.stdout).result ?? JSON.parse(result.stdout)).outputs;
    assert.match(outputs.overlayMark, /^batch_/, result.stdout);
    assert.equal(outputs.overlayMark, outputs.batchId);

    // this project's CLI: `schedule create --overlay` stores the overlay's path; each firing reads it as it is then
    const inputs = join(here, 'inputs.json');
    writeFileSync(inputs, JSON.stringify(batchInputs()));
    const bin = join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js');
    const created = await run(process.execPath, [bin, 'schedule', 'create', scheduleId, 'arazzo/openai-batch-job.arazzo.yaml', '--every', '24h', '--overlay', overlay, '--inputs', inputs, '--server', `openaiApi=${stack.simulator.url}/v1`, '--poll-interval', '200ms', '--poll-max-interval', '1s', '--address', stack.server.address]);
    assert.equal(created.code, 0, created.stderr + created.stdout);
    const args = ((await stack.client.client.schedule.getHandle(scheduleId).describe()).action as { args?: { overlays?: string[] }[] }).args;
    assert.deepEqual(args?.[0].overlays, [overlay]);
    const first = await fire(scheduleId);
    assert.equal(first.failure, undefined, first.failure?.message);
    assert.match(first.outputs?.overlayMark ?? '', /^batch_/);
    // the overlay edited after the schedule was made: the next firing applies the new one
    writeFileSync(overlay, mark('$steps.getResult.outputs.outputFileId'));
    const second = await fire(scheduleId);
    assert.match(second.outputs?.overlayMark ?? '', /^file-/);
    // an overlay whose target now matches nothing fails that firing as an invalid document, at the overlay's line
    writeFileSync(overlay, mark('x').replace("'batch-job'", "'no-such-workflow'"));
    const broken = await fire(scheduleId);
    assert.equal(broken.failure?.type, 'ArazzoInvalidDocument');
    assert.match(broken.failure!.message, /mark\.overlay\.yaml:6:\d+: error \[overlay-target-unmatched\]/);
  } finally {
    await stack.client.deleteSchedule(scheduleId).catch(() => undefined);
    rmSync(here, { recursive: true, force: true });
  }
});

test('an overlay outside the document roots is refused before anything is read', async () => {
  for (const overlays of [['/etc/hostname'], ['../outside.overlay.yaml'], ['http://127.0.0.1:1/o.yaml']]) {
    const { failure } = await failedStart([{ ...batchRequest(), overlays }]);
    assert.equal(failure.type, 'ArazzoRefusedDocument', `${overlays[0]}: ${failure.message}`);
  }
});

test('a large document: the prepared plan is in history as a claim check on the blob store, and the run completes', async () => {
  const here = join(PROJECT_ROOT, '.data', `e2e-large-${Date.now()}`);
  mkdirSync(here, { recursive: true });
  const original = readFileSync(join(PROJECT_ROOT, 'arazzo/openai-batch-job.arazzo.yaml'), 'utf8');
  // an input whose default is 400 KiB of text: the plan (its inputs schema) and the inputs are both over 256 KiB
  const padding = 'x'.repeat(400 * 1024);
  const text = original.replace('    properties:\n', `    properties:\n      padding:\n        type: string\n        default: ${padding}\n`);
  assert.ok(text.length > 400 * 1024 && text !== original);
  const doc = join(here, 'large.arazzo.yaml');
  writeFileSync(doc, text);
  try {
    const id = `large-${Date.now()}`;
    const request = { ...batchRequest(), document: doc, sources: { openaiApi: join(PROJECT_ROOT, 'openapi/openai-openapi-master.yml') } };
    const result = (await stack.client.client.workflow.execute('arazzoWorkflow', { workflowId: id, taskQueue: 'arazzo-temporal', args: [request] })) as { outputs: Record<string, string> };
    assert.match(result.outputs.outputFileId, /^file-/);
    const { events, taskFailures } = await historyOf(id);
    assert.equal(taskFailures, 0);
    const completed = events.find((e) => e.activityTaskCompletedEventAttributes && events.find((s) => Number(s.eventId) === Number(e.activityTaskCompletedEventAttributes!.scheduledEventId))?.activityTaskScheduledEventAttributes?.activityType?.name === 'prepareRun');
    const payload = completed?.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    assert.ok(payload, 'no prepareRun result in history');
    assert.equal(Buffer.from(payload.metadata!.encoding!).toString(), 'binary/claim-check');
    const ref = JSON.parse(Buffer.from(payload.data!).toString());
    assert.ok(Buffer.from(payload.data!).length < 1024, 'the reference is small');
    assert.ok(ref.size > 400 * 1024, `the blob holds the plan (${ref.size} bytes)`);
    assert.match(ref.sha256, /^[0-9a-f]{64}$/);
  } finally {
    rmSync(here, { recursive: true, force: true });
  }
});
