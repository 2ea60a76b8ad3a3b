// The Web UI, checked in a real browser (headless Chromium driven by puppeteer-core): a running Anthropic batch's
// User Metadata tab shows the workflow's current details (the normalized and provider status and the request counts,
// from setCurrentDetails), its Search Attributes tab the upserted ArazzoStep and BatchStatus, and the list filtered
// by ArazzoWorkflow and BatchStatus shows the run. Screenshots go to docs/ when ARAZZO_UI_SCREENSHOT=1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { noChromium, startUiStack, type UiStack } from '../helpers/web-ui';
import { seedRun } from '../helpers/runs';
import { waitFor, type Stack } from '../helpers/stack';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { statusQuery } from '../../src/workflows/queries';

const skip = noChromium;
let stack: Stack;
let browser: Browser;
let ui: string;
let uiStack: UiStack | undefined;
before(async () => {
  if (skip) return;
  uiStack = await startUiStack();
  ({ stack, browser } = uiStack);
  ui = `${uiStack.origin}/namespaces/default`;
});
after(() => uiStack?.stop());

/** The text of the page and of its frames (the UI renders Markdown, the current details, in a sandboxed iframe). */
async function textOf(page: Page): Promise<string> {
  const texts = await Promise.all(page.frames().map((f) => f.evaluate(() => document.body?.innerText ?? '').catch(() => '')));
  return texts.join('\n');
}

/** Open `url` and wait until its text has `what` (the UI renders after its API calls). */
async function pageWith(url: string, what: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  await page.goto(url, { waitUntil: 'networkidle2', timeout: 90_000 }).catch(() => undefined);
  let text = '';
  await waitFor(`${url} to show "${what}"`, async () => (text = await textOf(page)).includes(what), 90_000, 500).catch((err) => {
    throw new Error(`${(err as Error).message}; the page said:\n${text.slice(-3000)}`);
  });
  return page;
}

const shot = (page: Page, name: string) =>
  process.env.ARAZZO_UI_SCREENSHOT ? page.screenshot({ path: join(PROJECT_ROOT, 'docs', name) }) : undefined;

test(
  'the Web UI shows a running batch: current details with its status and counts; the list by ArazzoWorkflow has it',
  { skip },
  async () => {
    stack.simulator.setTiming({ messageBatchInProgressMs: 300_000 });
    const started = await stack.client.start({ ...seedRun('anthropic-batch-create-poll-results', stack.simulator.url), poll: stack.poll });
    try {
      const id = started.workflowId;
      // what the page shows is the workflow's own record: the create step's answer (the poll runs inside one activity)
      const record = await waitFor(
        'the run to poll',
        async () => {
          const r = await started.handle.query(statusQuery);
          return r.step === 'pollBatch' && r.batchStatus ? r : undefined;
        },
        60_000,
        500,
      );
      const c = record.requestCounts!;
      assert.equal(record.batchStatus, 'in_progress');
      const { runId } = await started.handle.describe();
      const run = `${ui}/workflows/${encodeURIComponent(id)}/${runId}`;

      const details = await pageWith(`${run}/user-metadata`, 'Step pollBatch');
      const text = await textOf(details);
      assert.match(text, /batch status: in_progress/);
      assert.match(text, /provider status: in_progress/);
      assert.ok(text.includes(`requests: ${c.completed} completed, ${c.failed} failed, of ${c.total}`), `the counts in:\n${text}`);
      await shot(details, 'web-ui-status.png');

      const attributes = await pageWith(`${run}/search-attributes`, '"BatchStatus": "in_progress"');
      assert.match(await textOf(attributes), /"ArazzoStep": "pollBatch"/);

      const query = 'ArazzoWorkflow = "create-poll-retrieve-batch" AND BatchStatus = "in_progress"';
      const list = await pageWith(`${ui}/workflows?query=${encodeURIComponent(query)}`, id);
      await shot(list, 'web-ui-list.png');
      const other = await browser.newPage();
      await other
        .goto(`${ui}/workflows?query=${encodeURIComponent('ArazzoWorkflow = "batch-job"')}`, { waitUntil: 'networkidle2', timeout: 90_000 })
        .catch(() => undefined);
      await other
        .waitForFunction(
          () =>
            /No Workflows|no results|0 workflows/i.test(document.body.innerText) ||
            document.querySelectorAll('a[href*="/workflows/"]').length > 0,
          { timeout: 60_000, polling: 500 },
        )
        .catch(() => undefined);
      assert.ok(
        !(await other.evaluate(() => document.body.innerText)).includes(id),
        'a list filtered by another workflow does not show it',
      );
    } finally {
      await started.handle.terminate('test done').catch(() => undefined);
    }
  },
);
