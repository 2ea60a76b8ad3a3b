// Large bodies stay out of history: over the threshold, a response body is streamed to the blob store
// and the run's outputs carry a reference that `result --blobs` (saveBlobOutputs) turns back into a file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { saveBlobOutputs } from '../../src/client';
import { isBlobRef } from '../../src/core/types';
import { runSeeds } from '../../src/dev/seeds';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
const blobDir = mkdtempSync(join(tmpdir(), 'blobs-'));
before(async () => {
  process.env.ARAZZO_BLOB_THRESHOLD_BYTES = '600';
  process.env.ARAZZO_BLOB_DIR = blobDir;
  stack = await startStack();
});
after(async () => {
  delete process.env.ARAZZO_BLOB_THRESHOLD_BYTES;
  await stack?.stop();
});

test('a body over the threshold becomes a blob reference; history holds the reference, not the body', async () => {
  const results = await runSeeds(stack.client, stack.simulator.url, undefined, { poll: stack.poll });
  const download = results.find((r) => r.name === 'openai-download-batch-results');
  assert.ok(download?.result, String(download?.error));
  const contents = download.result.outputs.contents;
  assert.ok(isBlobRef(contents), `expected a blob reference, got ${JSON.stringify(contents).slice(0, 200)}`);
  assert.ok(contents.size > 600);
  assert.equal(contents.contentType, 'application/octet-stream');

  const dir = mkdtempSync(join(tmpdir(), 'saved-'));
  const saved = await saveBlobOutputs(download.result.outputs, dir);
  const text = readFileSync(saved.contents, 'utf8');
  assert.equal(createHash('sha256').update(text).digest('hex'), contents.sha256);
  assert.deepEqual(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).custom_id).sort(), ['request-1', 'request-2', 'request-3']);

  const history = historyToJSON(await stack.client.handle(download.workflowId).fetchHistory());
  const decoded = Buffer.from(history).toString() + JSON.stringify(JSON.parse(history), (_, v) => (typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v));
  assert.ok(decoded.includes(contents.sha256), 'history holds the reference');
  assert.ok(!decoded.includes('chat.completion'), 'history does not hold the body');

  const anthropic = results.find((r) => r.name === 'anthropic-batch-create-poll-results');
  assert.ok(anthropic?.result, String(anthropic?.error));
  assert.ok(isBlobRef(anthropic.result.outputs.results), 'the Anthropic JSONL results are a blob too');
});
