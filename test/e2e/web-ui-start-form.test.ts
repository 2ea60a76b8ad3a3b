// The Web UI's Start Workflow form (headless Chromium driven by puppeteer-core) starts the batch seed by reference:
// Workflow ID, Task Queue `arazzo-temporal`, Workflow Type `arazzoWorkflow` and a run request as the json/plain
// input, as a user would type them. The run it starts is checked through the Temporal client: its input is that
// request, and it completes with the batch seed's outputs, which the simulator confirms. Twice: with plaintext
// payloads, and encrypted as `npm start` runs it (the UI given the codec server, which encodes the form's input). The
// screenshot of the filled form goes to docs/web-ui-start-form.png when ARAZZO_UI_SCREENSHOT=1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { ElementHandle, Page } from 'puppeteer-core';
import { requestsTo, seedInputs } from '../helpers/runs';
import { OPENAI_KEY, waitFor, type Stack } from '../helpers/stack';
import { noChromium, startUiStack, type UiStack } from '../helpers/web-ui';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { codecFromEnv, ENCRYPTED_ENCODING } from '../../src/codec';

/** The form control a `<label>` with this text names (its `for` attribute), or the control inside the label. */
async function byLabel(page: Page, text: string): Promise<ElementHandle<Element>> {
  const handle = await page.waitForFunction(
    (want: string) => {
      for (const label of Array.from(document.querySelectorAll('label'))) {
        if (label.textContent?.replace(/\*/g, '').trim() !== want) continue;
        const id = label.getAttribute('for');
        const control = id ? document.getElementById(id) : label.querySelector('input, textarea, select');
        if (control) return control;
      }
      // controls named by aria-label (the input editor is a CodeMirror content-editable, not an <input>)
      return document.querySelector(`[aria-label="${want}"]`) ?? null;
    },
    { timeout: 60_000, polling: 250 },
    text,
  );
  return handle as ElementHandle<Element>;
}

const pageText = (page: Page) => page.evaluate(() => document.body.innerText);

/** Fill the form with a run request for the batch seed and submit it; resolves once the run exists. */
async function startFromForm(web: UiStack, screenshot?: string) {
  const { stack, browser, origin: ui } = web;
  // the form exists only when the UI server allows it: say so plainly if a future UI (or its config) turns it off
  const settings = (await (await fetch(`${ui}/api/v1/settings`)).json()) as Record<string, unknown>;
  assert.equal(settings.StartWorkflowDisabled, false, `this Web UI (${String(settings.Version)}) has the Start Workflow form disabled`);
  assert.notEqual(settings.DisableWriteActions, true, 'this Web UI disables write actions');

  const workflowId = `web-ui-form-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const request = {
    document: 'arazzo/openai-batch-job.arazzo.yaml',
    inputs: { ...seedInputs('openai-batch-job'), apiKey: { $secret: 'OPENAI_API_KEY' } },
    servers: { openaiApi: `${stack.simulator.url}/v1` },
    options: { poll: { interval: '200ms', maxInterval: '1s' } },
  };
  const batchesBefore = requestsTo(stack.simulator, 'POST', /^\/v1\/batches$/).length;

  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1400, height: 1250 }); // tall enough for the whole form in the screenshot
    await page
      .goto(`${ui}/namespaces/default/workflows/start-workflow`, { waitUntil: 'networkidle2', timeout: 90_000 })
      .catch(() => undefined);
    const said = async (err: unknown) => {
      throw new Error(`${(err as Error).message}; the page said:\n${(await pageText(page)).slice(-3000)}`);
    };
    await waitFor('the Start Workflow form', async () => (await pageText(page)).includes('Workflow Type'), 60_000, 250).catch(said);

    await (await byLabel(page, 'Workflow ID')).type(workflowId);
    await (await byLabel(page, 'Task Queue')).type('arazzo-temporal');
    await (await byLabel(page, 'Workflow Type')).type('arazzoWorkflow');
    // the input editor: one insertion (Input.insertText), so the editor's bracket closing and indenting do not apply
    const data = await byLabel(page, 'Data');
    await data.click();
    await page.keyboard.sendCharacter(JSON.stringify(request));
    const typed = await data.evaluate((el) => (el as HTMLElement).innerText);
    assert.deepEqual(JSON.parse(typed.replace(/\n/g, '')), request, 'the editor holds the run request as typed');
    const plain = await page.waitForSelector('input[type="radio"][value="json/plain"]', { timeout: 10_000 });
    await plain!.click();
    assert.equal(await plain!.evaluate((el) => (el as HTMLInputElement).checked), true, 'encoding json/plain is selected');

    const submit = await page.waitForSelector('[data-testid="start-workflow-button"], button::-p-text(Start Workflow)', {
      timeout: 10_000,
    });
    await page.waitForFunction((b) => !(b as HTMLButtonElement).disabled, { timeout: 10_000 }, submit!);
    if (screenshot) await page.screenshot({ path: screenshot });
    await submit!.click();

    // the server accepted the start: the run exists (the UI then says "Workflow started successfully")
    const handle = stack.client.client.workflow.getHandle(workflowId);
    const described = await waitFor('the run the form started', () => handle.describe().catch(() => undefined), 60_000, 250).catch(said);
    assert.equal(described.type, 'arazzoWorkflow');
    assert.equal(described.taskQueue, 'arazzo-temporal');
    return { handle, request, batchesBefore };
  } finally {
    await page.close();
  }
}

/** The one argument of the run's start, as history holds it. */
async function startInput(handle: WorkflowHandle): Promise<Payload> {
  const history = await handle.fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  assert.equal(payloads.length, 1, 'the start carries one argument');
  return payloads[0];
}

const encodingOf = (p: Payload) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString();

/** The run completes with the batch seed's outputs, and the simulator made that batch for it, with that output file. */
async function completesWithSeedOutputs(stack: Stack, handle: WorkflowHandle, batchesBefore: number) {
  const result = (await handle.result()) as { outputs: Record<string, string> };
  assert.deepEqual(Object.keys(result.outputs).sort(), ['batchId', 'outputFileId']);
  assert.match(result.outputs.batchId, /^batch_/);
  assert.match(result.outputs.outputFileId, /^file-/);
  assert.equal(requestsTo(stack.simulator, 'POST', /^\/v1\/batches$/).length, batchesBefore + 1, 'one batch created');
  // called with the key the worker resolved from {"$secret": "OPENAI_API_KEY"}
  const res = await fetch(`${stack.simulator.url}/v1/batches/${result.outputs.batchId}`, {
    headers: { authorization: `Bearer ${OPENAI_KEY}` },
  });
  assert.equal(res.status, 200);
  const batch = (await res.json()) as { status: string; output_file_id: string };
  assert.equal(batch.status, 'completed');
  assert.equal(batch.output_file_id, result.outputs.outputFileId);
}

describe('the Web UI Start Workflow form, plaintext payloads', { skip: noChromium }, () => {
  let web: UiStack | undefined;
  before(async () => {
    process.env.ARAZZO_DOCUMENTS = PROJECT_ROOT;
    process.env.ARAZZO_CODEC_KEYS = 'none';
    web = await startUiStack();
  });
  after(() => web?.stop());

  test(
    "starts the batch seed by reference; its input is the run request; it completes with the seed's outputs",
    { timeout: 300_000 },
    async () => {
      const shot = process.env.ARAZZO_UI_SCREENSHOT ? join(PROJECT_ROOT, 'docs', 'web-ui-start-form.png') : undefined;
      const { handle, request, batchesBefore } = await startFromForm(web!, shot);
      const input = await startInput(handle);
      assert.equal(encodingOf(input), 'json/plain');
      assert.deepEqual(defaultPayloadConverter.fromPayload(input), request);
      await completesWithSeedOutputs(web!.stack, handle, batchesBefore);
    },
  );
});

describe(
  'the Web UI Start Workflow form, encrypted payloads as npm start runs it (the UI given the codec server)',
  { skip: noChromium },
  () => {
    let web: UiStack | undefined;
    let keys: string | undefined;
    before(async () => {
      keys = process.env.ARAZZO_CODEC_KEYS;
      process.env.ARAZZO_DOCUMENTS = PROJECT_ROOT;
      process.env.ARAZZO_CODEC_KEYS = `form-${Date.now()}:${randomBytes(32).toString('base64')}`;
      web = await startUiStack({ codecServer: true });
    });
    after(async () => {
      await web?.stop();
      process.env.ARAZZO_CODEC_KEYS = keys;
    });

    test(
      "the form's input goes through the codec server: history holds it encrypted; the run completes",
      { timeout: 300_000 },
      async () => {
        const { handle, request, batchesBefore } = await startFromForm(web!);
        const input = await startInput(handle);
        assert.equal(encodingOf(input), ENCRYPTED_ENCODING, 'the UI encoded the input with the codec server');
        const [decoded] = await codecFromEnv().decode([input]);
        assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), request);
        await completesWithSeedOutputs(web!.stack, handle, batchesBefore);
      },
    );
  },
);
