// Replay safety: the histories in test/fixtures/histories were recorded with the workflow code as it was
// (scripts/record-histories.ts: the seeds, child workflows, a failing child, dependsOn, a transfer, retries
// that run a step or a workflow, timeouts, a cancelled run, a run that continued as new; scripts/record-event-histories.ts:
// receive and send steps, a lost webhook's fallback poll, an early event, their correlation mailboxes). Each is replayed
// with the workflow bundle the worker uses; a change to the workflow code that would break a run in flight
// shows here as a nondeterminism error. status-batch-job-revision1/2 are the batch seed on a namespace with the search
// attributes: upserts behind the patch marker (a start without the revision memo), and a revision-2 start's upserts
// without it; the revision3-* histories (the batch seed, a parent and its child, a run continued as new twice) start
// without search attributes and set them by one upsert per workflow task (src/core/history-revision.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { workflowBundle } from '../../src/worker';

const DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

test(`${files.length} recorded histories replay without nondeterminism`, async () => {
  assert.ok(files.length >= 10, 'the recorded histories are there');
  // each file: {workflowId, history} (the id matters: child workflow ids are derived from it)
  const histories = files.map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { workflowId: string; history: unknown });
  const failures: string[] = [];
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    replayed++;
    if (r.error) failures.push(`${r.workflowId}: ${r.error.name}: ${r.error.message}`);
  }
  assert.equal(replayed, files.length);
  assert.deepEqual(failures, []);
});

type Ev = {
  eventType: string;
  markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> };
  workflowExecutionStartedEventAttributes?: {
    memo?: { fields?: Record<string, { data?: string }> };
    searchAttributes?: { indexedFields?: Record<string, unknown> };
  };
  upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes?: { indexedFields?: Record<string, unknown> } };
  workflowTaskCompletedEventAttributes?: unknown;
};
const eventsOf = (f: string) => (JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { history: { events: Ev[] } }).history.events;
const decoded = (data?: string) => (data ? Buffer.from(data, 'base64').toString('utf8') : '');

test('the histories cover search-attribute upserts of revisions 1, 2 and 3', () => {
  const kinds = files.map((f) => {
    const events = eventsOf(f);
    const upserts = events.filter((e) => e.eventType === 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES').length;
    const patches = events.filter(
      (e) => e.eventType === 'EVENT_TYPE_MARKER_RECORDED' && e.markerRecordedEventAttributes?.markerName === 'core_patch',
    );
    // the marker's patch-data: {"id": ..., "deprecated": ...}
    const patchIds = patches.map(
      (e) =>
        (JSON.parse(decoded(e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data) || '{}') as { id?: string }).id,
    );
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    const revision = decoded(started?.memo?.fields?.arazzoRevision?.data);
    // the upserts of each workflow task: the events between two WorkflowTaskCompleted
    const perTask: string[][] = [];
    for (const e of events) {
      if (e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') perTask.push([]);
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      if (fields) perTask.at(-1)?.push(Object.keys(fields).sort().join('+'));
    }
    const startedWith = Object.keys(started?.searchAttributes?.indexedFields ?? {});
    return { f, upserts, patchIds, revision, perTask, startedWith };
  });
  assert.ok(
    kinds.some((k) => k.upserts > 0 && k.revision === '' && k.patchIds.includes('arazzo-search-attributes')),
    'a revision-1 run with upserts behind the patch marker',
  );
  assert.ok(
    kinds.some((k) => k.upserts > 0 && k.revision === '2' && k.patchIds.length === 0),
    'a revision-2 run with upserts and no patch marker',
  );
  const three = kinds.filter((k) => k.revision === '3');
  assert.ok(
    three.some((k) => k.startedWith.length === 0 && k.perTask[0]?.[0] === 'ArazzoDocument+ArazzoStep+ArazzoWorkflow'),
    'a revision-3 run that starts without search attributes and sets them in its first workflow task',
  );
  assert.ok(
    three.some((k) => k.startedWith.includes('ArazzoWorkflow') && k.upserts > 0),
    'a revision-3 run continued as new, which starts with the attributes its predecessor set',
  );
  for (const k of three) {
    assert.deepEqual(k.patchIds, [], `${k.f}: no patch markers`);
    assert.ok(
      k.perTask.every((ups) => ups.length <= 1),
      `${k.f}: at most one upsert per workflow task: ${JSON.stringify(k.perTask)}`,
    );
  }
});
