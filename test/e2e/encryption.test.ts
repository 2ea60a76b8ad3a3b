// Payload encryption end to end: the seeds run with codec keys; their raw history (read without the codec) holds
// no prompt, result line, file content or custom_id, the decoded history holds them all; the Web UI shows them
// through the codec server (checked in headless Chromium); a worker without the key fails its tasks saying so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { codecFromEnv, startCodecServer, type CodecServer, type AesGcmCodec } from '../../src/codec';
import { failureMessage } from '../../src/client';
import { ArazzoClient } from '../../src/client';
import { runSeeds, type SeedResult } from '../../src/dev/seeds';
import { freePort } from '../../src/temporal/dev-server';
import { startWorker } from '../../src/worker';
import { rawHistoryText } from '../helpers/history';
import { chromiumPath, dumpDom, screenshot } from '../helpers/chromium';
import { seedInputs, seedRun } from '../helpers/runs';
import { startStack, waitFor, type Stack } from '../helpers/stack';

// set before the stack reads it: client and worker of this file encrypt
process.env.ARAZZO_CODEC_KEYS = `e2e-old:${randomBytes(32).toString('base64')}`;
process.env.ARAZZO_CODEC_KEYS = `e2e-${Date.now()}:${randomBytes(32).toString('base64')},${process.env.ARAZZO_CODEC_KEYS}`;

let stack: Stack;
let codec: AesGcmCodec;
let codecServer: CodecServer;
let uiPort: number;
let seeds: Record<string, SeedResult>;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}
const isPayload = (v: unknown): v is JsonPayload => !!v && typeof v === 'object' && 'metadata' in v && typeof (v as JsonPayload).metadata?.encoding === 'string';

const rawHistory = (workflowId: string) => rawHistoryText(stack.client, workflowId);

/** The history with every payload decoded through the codec, as text; also counts the encrypted payloads. */
async function decodedHistory(workflowId: string): Promise<{ text: string; encrypted: number; plaintext: string[] }> {
  const json = JSON.parse(historyToJSON(await stack.client.handle(workflowId).fetchHistory()));
  const parts: string[] = [];
  let encrypted = 0;
  const plaintext: string[] = [];
  const walk = async (v: unknown, at: string): Promise<void> => {
    if (isPayload(v)) {
      const p = { metadata: Object.fromEntries(Object.entries(v.metadata ?? {}).map(([k, x]) => [k, Buffer.from(x, 'base64')])), data: Buffer.from(v.data ?? '', 'base64') };
      const encoding = p.metadata.encoding.toString();
      if (encoding === 'binary/encrypted') encrypted++;
      // Two kinds stay unencrypted by Temporal's design, and hold no content: search attributes, which the server
      // indexes (the document's file name, workflow and step ids, the normalized batch status), and the markers
      // patched() records, written by the SDK's core without the codec (the patch's name, e.g. step-depends-on)
      else if (encoding !== 'binary/null' && !/\.(searchAttributes|indexedFields)\.|\.markerRecordedEventAttributes\.details\.patch-data\./.test(at))
        plaintext.push(`${at} (${encoding})`);
      const [plain] = await codec.decode([p]);
      parts.push(Buffer.from(plain.data ?? new Uint8Array()).toString('utf8'));
    } else if (Array.isArray(v)) for (const [i, x] of v.entries()) await walk(x, `${at}[${i}]`);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) await walk(x, `${at}.${k}`);
  };
  await walk(json, '');
  return { text: parts.join('\n'), encrypted, plaintext };
}

/** What must not be readable in raw history: custom_ids, prompts, file contents' strings, results' strings. */
function needles(): Map<string, string> {
  const out = new Map<string, string>();
  const strings = (v: unknown, into: string[] = []): string[] => {
    if (typeof v === 'string') into.push(v);
    else if (Array.isArray(v)) v.forEach((x) => strings(x, into));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, into));
    return into;
  };
  const jsonlStrings = (text: unknown) => String(text).split('\n').filter(Boolean).flatMap((l) => strings(JSON.parse(l)));
  const batch = seedInputs('openai-batch-job');
  for (const s of jsonlStrings(batch.batchInputFile)) if (/request-|Say hello/.test(s)) out.set(s, 'batch input file');
  for (const s of jsonlStrings(seedInputs('openai-fine-tuning-job').trainingFile)) if (/Capital|one word/.test(s)) out.set(s, 'fine-tuning file');
  for (const s of strings(seedInputs('anthropic-batch-create-poll-results').requests)) if (/greeting-|Say hello/.test(s)) out.set(s, 'anthropic requests');
  // result lines: their custom_ids and the model's answers
  const results = [seeds['openai-download-batch-results'].result?.outputs.contents, seeds['anthropic-batch-create-poll-results'].result?.outputs.results];
  for (const text of results) {
    assert.ok(text, 'the seed results are there');
    for (const line of String(text).split('\n').filter(Boolean)) {
      const parsed = JSON.parse(line);
      out.set(parsed.custom_id, 'result line custom_id');
      const answer = parsed.response?.body?.choices?.[0]?.message?.content ?? parsed.result?.message?.content?.[0]?.text;
      assert.ok(typeof answer === 'string' && answer.length > 3, `a result line has an answer: ${line.slice(0, 200)}`);
      out.set(answer, 'result line answer');
    }
  }
  return out;
}

before(async () => {
  codec = codecFromEnv();
  uiPort = await freePort();
  codecServer = await startCodecServer({ codec, port: 0, origins: [`http://127.0.0.1:${uiPort}`] });
  stack = await startStack({ server: { headless: false, uiPort, uiCodecEndpoint: codecServer.url } });
  const results = await runSeeds(stack.client, stack.simulator.url, undefined, { poll: stack.poll });
  seeds = Object.fromEntries(results.map((r) => [r.name, r]));
  for (const r of results) assert.ok(r.result, `${r.name} failed: ${r.error ? failureMessage(r.error) : ''}`);
});
after(async () => {
  await stack?.stop();
  await codecServer?.close();
});

describe('encrypted payloads', () => {
  test('raw history holds no prompt, result line, file content or custom_id; the decoded history holds them all', async () => {
    const find = needles();
    assert.ok(find.size >= 12, `enough to look for: ${[...find.keys()].join(' | ')}`);
    const raw = (await Promise.all(Object.values(seeds).map((r) => rawHistory(r.workflowId)))).join('\n');
    const decoded = await Promise.all(Object.values(seeds).map((r) => decodedHistory(r.workflowId)));
    const decodedText = decoded.map((d) => d.text).join('\n');
    for (const [needle, what] of find) {
      assert.ok(!raw.includes(needle), `${what} "${needle}" is readable in raw history`);
      assert.ok(decodedText.includes(needle), `${what} "${needle}" is not in the decoded history either: the check would prove nothing`);
    }
    for (const d of decoded) {
      assert.ok(d.encrypted > 5, `payloads are encrypted (${d.encrypted})`);
      assert.deepEqual(d.plaintext, [], 'no payload is stored in plaintext');
    }
  });

  test('the Web UI shows the decoded input and result through the codec server (headless Chromium)', { skip: chromiumPath() ? false : 'chromium is not installed' }, async () => {
    const r = seeds['anthropic-batch-create-poll-results'];
    const { runId } = await stack.client.handle(r.workflowId).describe();
    const url = `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(r.workflowId)}/${runId}/history`;
    const dom = await waitFor('the Web UI to render the decoded payloads', async () => {
      const html = await dumpDom(url);
      return html.includes('greeting-fr') && html.includes('Say hello in French.') ? html : undefined;
    }, 90_000, 1000);
    assert.ok(dom.includes('greeting-de'));
    assert.ok(!dom.includes('binary/encrypted'), 'the UI shows no encrypted payload');
    // ARAZZO_UI_SCREENSHOT=docs/web-ui-decoded.png refreshes the picture in the README
    if (process.env.ARAZZO_UI_SCREENSHOT) await screenshot(url, process.env.ARAZZO_UI_SCREENSHOT);
  });

  test("a schedule's stored workflow input is encrypted too", async () => {
    await stack.client.createSchedule('enc-nightly', seedRun('openai-batch-job', stack.simulator.url), { every: '24h' });
    try {
      const raw = await stack.client.client.workflowService.describeSchedule({ namespace: 'default', scheduleId: 'enc-nightly' });
      const payloads = raw.schedule?.action?.startWorkflow?.input?.payloads ?? [];
      assert.ok(payloads.length > 0, 'the schedule holds its input');
      for (const p of payloads) assert.equal(Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString(), 'binary/encrypted');
      const text = payloads.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('latin1')).join('');
      assert.ok(!text.includes('Say hello in French.') && !text.includes('request-1'));
    } finally {
      await stack.client.deleteSchedule('enc-nightly');
    }
  });

  test('a worker without the key fails its workflow tasks with a message that says so', async () => {
    const keys = process.env.ARAZZO_CODEC_KEYS;
    process.env.ARAZZO_CODEC_KEYS = 'none';
    const queue = `no-key-${Date.now()}`;
    const worker = await startWorker({ address: stack.server.address, taskQueue: queue });
    process.env.ARAZZO_CODEC_KEYS = keys;
    const client = await ArazzoClient.connect({ address: stack.server.address, taskQueue: queue });
    try {
      const started = await client.start(seedRun('openai-fine-tuning-job', stack.simulator.url));
      const failure = await waitFor('a failed workflow task', async () => {
        const events = (await started.handle.fetchHistory()).events ?? [];
        return events.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure?.message;
      }, 30_000, 250);
      assert.match(failure, /encrypted \(key id "e2e-\d+"\) but this process has no codec keys: set ARAZZO_CODEC_KEYS or ARAZZO_CODEC_KEY_FILE/);
      await started.handle.terminate('test done');
    } finally {
      await client.close();
      await worker.stop();
    }
  });
});
