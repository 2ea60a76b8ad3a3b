// The Web UI, checked in a real browser (headless Chromium): a running Anthropic batch's page shows the workflow's
// current details (the normalized and provider status and the request counts, from setCurrentDetails), and the list
// filtered by the search attribute ArazzoWorkflow (and BatchStatus) shows the run. Screenshots: docs/web-ui-status.png
// and docs/web-ui-list.png when ARAZZO_UI_SCREENSHOT=1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromiumPath, dumpDom, screenshot } from '../helpers/chromium';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import { freePort, PROJECT_ROOT } from '../../src/temporal/dev-server';
import { runStatus } from '../../src/status-client';
import { seedRun } from '../helpers/runs';
import { statusQuery } from '../../src/workflows/queries';

const skip = chromiumPath() ? false : 'chromium is not installed (apt-get install -y chromium): the Web UI is not checked';
let stack: Stack;
let ui: string;
before(async () => {
  if (skip) return;
  const uiPort = await freePort();
  stack = await startStack({ server: { headless: false, uiPort } });
  ui = `http://127.0.0.1:${uiPort}/namespaces/default`;
});
after(() => stack?.stop());

test(
  'the Web UI shows a running batch: current details with its status and counts; the list by ArazzoWorkflow has it',
  { skip },
  async () => {
    stack.simulator.setTiming({ messageBatchInProgressMs: 300_000 });
    const started = await stack.client.start({ ...seedRun('anthropic-batch-create-poll-results', stack.simulator.url), poll: stack.poll });
    try {
      const id = started.workflowId;
      // the poll runs inside one activity; the workflow's own record holds what the create step answered
      const s = await waitFor(
        'the run to poll',
        async () => {
          const live = await runStatus(stack.client.client, id);
          return live.step === 'pollBatch' && live.polls > 0 ? live : undefined;
        },
        60_000,
        500,
      );
      // what the page shows: the workflow's record (the create step's answer), not the heartbeat's newer counts
      const record = await stack.client.handle(id).query(statusQuery);
      const counts = record.requestCounts!;
      assert.equal(record.batchStatus, 'in_progress');
      assert.equal(s.batchStatus, 'in_progress');
      const page = `${ui}/workflows/${encodeURIComponent(id)}`;
      const dom = await waitFor(
        'the run page to show the current details',
        async () => {
          const html = await dumpDom(page);
          return html.includes('Step pollBatch') ? html : undefined;
        },
        120_000,
        1000,
      );
      assert.match(dom, /batch status: <strong>in_progress<\/strong>/);
      assert.match(dom, /provider status: in_progress/);
      assert.ok(dom.includes(`requests: ${counts.completed} completed, ${counts.failed} failed, of ${counts.total}`), 'the counts');
      if (process.env.ARAZZO_UI_SCREENSHOT) await screenshot(page, join(PROJECT_ROOT, 'docs', 'web-ui-status.png'));

      const query = 'ArazzoWorkflow = "create-poll-retrieve-batch" AND BatchStatus = "in_progress"';
      const list = `${ui}/workflows?query=${encodeURIComponent(query)}`;
      const listed = await waitFor(
        'the filtered list to show the run',
        async () => {
          const html = await dumpDom(list);
          return html.includes(id) ? html : undefined;
        },
        120_000,
        1000,
      );
      assert.ok(listed.includes(id));
      const none = await dumpDom(`${ui}/workflows?query=${encodeURIComponent('ArazzoWorkflow = "batch-job"')}`);
      assert.ok(!none.includes(id), 'a list filtered by another workflow does not show it');
      if (process.env.ARAZZO_UI_SCREENSHOT) await screenshot(list, join(PROJECT_ROOT, 'docs', 'web-ui-list.png'), '1400,700');
    } finally {
      await started.handle.terminate('test done').catch(() => undefined);
    }
  },
);
