// Schedules in full, through the real CLI in child processes against the dev server: create with policies
// (overlap, catch-up window, jitter, paused with a note), describe (next 5 runs, recent firings with the status of
// their runs), pause/unpause, update (spec, inputs, policies), trigger, backfill, and overlap `skip` while a
// batch run is still polling (the firing is skipped, and describe says so).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { startSimulator, type Simulator } from '../../src/simulator';
import type { ScheduleView } from '../../src/client';
import { cli } from '../helpers/cli';
import { ANTHROPIC_KEY, OPENAI_KEY, startStack, waitFor, type Stack } from '../helpers/stack';

let stack: Stack; // its simulator has demo timing: a batch stays in progress for about a minute
let fast: Simulator;
before(async () => {
  process.env.ARAZZO_DOCUMENTS = PROJECT_ROOT;
  stack = await startStack({ timing: 'demo' });
  fast = await startSimulator({ port: 0, timing: 'fast', apiKeys: [OPENAI_KEY, ANTHROPIC_KEY] });
});
after(async () => {
  await fast?.close();
  await stack?.stop();
});

const conn = () => ['--address', stack.server.address];
const DOC = 'arazzo/openai-batch-job.arazzo.yaml';
const runFlags = (sim: Simulator) => [
  '--inputs',
  'examples/inputs/openai-batch-job.json',
  '--server',
  `openaiApi=${sim.url}/v1`,
  '--poll-interval',
  '200ms',
  '--poll-max-interval',
  '1s',
];

async function ok(...args: string[]) {
  const r = await cli(...args, ...conn());
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function describe(id: string): Promise<ScheduleView> {
  return JSON.parse(await ok('schedule', 'describe', id, '--json'));
}

/** The library's describe, for waiting (a CLI process a poll is slow on a loaded machine). */
const described = (id: string) => stack.client.describeSchedule(id);
/** The same, for waitFor loops: a passing error of a loaded dev server (e.g. namespace not yet known) is a retry. */
const polled = (id: string) => described(id).catch(() => undefined);

test('create with policies and paused; describe; unpause, pause; update spec, inputs and policies; list; delete', async () => {
  const id = `ops-policies-${Date.now()}`;
  const created = await ok(
    'schedule',
    'create',
    id,
    DOC,
    ...runFlags(fast),
    '--every',
    '1h',
    '--jitter',
    '1m',
    '--overlap',
    'buffer-one',
    '--catchup-window',
    '10m',
    '--paused',
    '--note',
    'waiting for the key',
  );
  assert.match(created, new RegExp(`schedule ${id} created \\(paused\\)`));
  let view = await describe(id);
  assert.equal(view.paused, true);
  assert.equal(view.note, 'waiting for the key');
  assert.equal(view.overlap, 'buffer-one');
  assert.equal(view.catchupWindowMs, 600_000);
  assert.equal(view.spec, 'every 1h, jitter 1m');
  assert.equal(view.nextRuns.length, 5);
  assert.equal((await stack.client.client.schedule.getHandle(id).describe()).spec.jitter, 60_000);
  const text = await ok('schedule', 'describe', id);
  assert.match(text, /\(paused\)/);
  assert.match(text, /overlap: buffer-one, catch-up window: 600s/);
  assert.match(text, /next runs:\n(    \d{4}-\d\d-\d\dT.*\n){5}/);

  await ok('schedule', 'unpause', id, '--note', 'key rotated');
  view = await describe(id);
  assert.equal(view.paused, false);
  assert.equal(view.note, 'key rotated');
  await ok('schedule', 'pause', id, '--note', 'provider outage');
  view = await describe(id);
  assert.deepEqual([view.paused, view.note], [true, 'provider outage']);

  // a new spec and overlap; the inputs change (one input by -i), the server and the document are kept
  await ok(
    'schedule',
    'update',
    id,
    '--cron',
    '0 3 * * *',
    '--overlap',
    'skip',
    '--inputs',
    'examples/inputs/openai-batch-job.json',
    '-i',
    'endpoint=/v1/embeddings',
  );
  view = await describe(id);
  assert.equal(view.spec, '0 3 * * *');
  assert.equal(view.overlap, 'skip');
  assert.equal(view.catchupWindowMs, 600_000, 'a policy not given is kept');
  assert.equal(view.paused, true, 'an update keeps the paused state');
  assert.ok(
    view.nextRuns.every((d) => new Date(d).getUTCHours() === 3 && new Date(d).getUTCMinutes() === 0),
    JSON.stringify(view.nextRuns),
  );
  assert.equal(view.request?.inputs?.endpoint, '/v1/embeddings');
  assert.deepEqual(view.request?.inputs?.apiKey, { $secret: 'OPENAI_API_KEY' }, 'the key stays a reference');
  assert.equal(view.request?.servers?.openaiApi, `${fast.url}/v1`);
  assert.match(String(view.document), /openai-batch-job\.arazzo\.yaml$/);
  // an update whose inputs the document refuses changes nothing
  const refused = await cli('schedule', 'update', id, '--inputs', 'examples/inputs/openai-batch-job.json', '-i', 'endpoint=42', ...conn());
  assert.notEqual(refused.code, 0);
  assert.equal((await describe(id)).request?.inputs?.endpoint, '/v1/embeddings');

  const listed = await ok('schedule', 'list');
  assert.match(listed, new RegExp(`^${id}\\t0 3 \\* \\* \\*\\t\\S+\\tpaused$`, 'm'));
  assert.match(await ok('schedule', 'delete', id), /deleted/);
  await assert.rejects(stack.client.client.schedule.getHandle(id).describe());
});

test('bad policy flags are usage errors, before connecting', async () => {
  const bad = await cli('schedule', 'create', 'x', DOC, ...runFlags(fast), '--every', '1h', '--overlap', 'sometimes', ...conn());
  assert.notEqual(bad.code, 0);
  assert.match(
    bad.stderr,
    /--overlap.*sometimes.*Allowed choices are skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all/s,
  );
  const window = await cli('schedule', 'create', 'x', DOC, ...runFlags(fast), '--every', '1h', '--catchup-window', 'soon', ...conn());
  assert.equal(window.code, 2);
  assert.match(window.stderr, /--catchup-window: cannot read "soon"/);
  const range = await cli('schedule', 'backfill', 'x', '--from', '2026-01-02T00:00:00Z', '--to', '2026-01-01T00:00:00Z', ...conn());
  assert.equal(range.code, 2);
  assert.match(range.stderr, /--from must be before --to/);
});

test('trigger fires a run that completes; backfill takes the firings in its range; describe shows their status', async () => {
  const id = `ops-fire-${Date.now()}`;
  await ok('schedule', 'create', id, DOC, ...runFlags(fast), '--every', '1h', '--overlap', 'allow-all');
  try {
    assert.match(await ok('schedule', 'trigger', id), /triggered/);
    let view = await waitFor(
      'the triggered run to complete',
      async () => {
        const v = await polled(id);
        return v && v.recentActions.length === 1 && v.recentActions[0].status === 'COMPLETED' ? v : undefined;
      },
      90_000,
      500,
    );
    const result = (await stack.client.result(view.recentActions[0].workflowId)) as { outputs: Record<string, string> };
    assert.match(result.outputs.outputFileId, /^file-/);
    assert.match(await ok('schedule', 'describe', id), new RegExp(`${view.recentActions[0].workflowId}  COMPLETED`));

    // every 1h from the epoch: a range from 2h30m before the hour to 30m before it holds two firings
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const from = new Date(hour - 2.5 * 3_600_000).toISOString();
    const to = new Date(hour - 0.5 * 3_600_000).toISOString();
    assert.match(await ok('schedule', 'backfill', id, '--from', from, '--to', to), /backfilled/);
    view = await waitFor(
      'the two backfilled runs to complete',
      async () => {
        const v = await polled(id);
        return v && v.recentActions.length === 3 && v.recentActions.every((a) => a.status === 'COMPLETED') ? v : undefined;
      },
      120_000,
      500,
    );
    const scheduled = view.recentActions.slice(1).map((a) => new Date(a.scheduledAt).getTime());
    assert.deepEqual(scheduled.sort(), [hour - 2 * 3_600_000, hour - 3_600_000]);
    assert.equal(view.actionsTaken, 3);
  } finally {
    await ok('schedule', 'delete', id);
  }
});

test('overlap skip: a firing while the batch run is still polling is skipped, and describe counts it', async () => {
  const id = `ops-skip-${Date.now()}`;
  await ok('schedule', 'create', id, DOC, ...runFlags(stack.simulator), '--every', '1h', '--overlap', 'skip');
  try {
    await ok('schedule', 'trigger', id);
    const fired = await waitFor('the first firing', async () => (await polled(id))?.recentActions[0], 90_000, 300);
    const first = fired.workflowId;
    assert.equal(fired.status, 'RUNNING', `the first run: ${fired.status}`);
    // polling: the run has reached pollBatch, its third step (demo timing keeps the batch in progress)
    await waitFor(
      'the run to poll',
      async () => {
        const events =
          (
            await stack.client
              .handle(first)
              .fetchHistory()
              .catch(() => undefined)
          )?.events ?? [];
        return events.filter((e) => e.activityTaskScheduledEventAttributes).length >= 3; // uploadInput, createBatch, pollBatch
      },
      60_000,
      300,
    );
    await ok('schedule', 'trigger', id); // the schedule's policy: skip
    const view = await waitFor(
      'the firing to be skipped',
      async () => {
        const v = await polled(id);
        return v && v.skippedOverlap === 1 ? v : undefined;
      },
      30_000,
      300,
    );
    assert.equal(view.actionsTaken, 1);
    assert.deepEqual(view.running, [first]);
    assert.equal(view.recentActions.length, 1);
    assert.equal(view.recentActions[0].status, 'RUNNING');
    assert.match(await ok('schedule', 'describe', id), /actions: 1 taken, 1 skipped \(overlap\)/);
  } finally {
    const running = (await described(id)).running;
    await ok('schedule', 'delete', id);
    for (const wf of running) await stack.client.handle(wf).terminate('test done');
  }
});
