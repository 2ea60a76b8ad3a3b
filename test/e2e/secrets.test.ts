// Secrets, everywhere: steps that fail on purpose (401, 500, a transport error) against an API that quotes the
// credentials it receives (Authorization, x-api-key, api_key in the query), and a response large enough for the
// blob store; then every place a person can read is searched for the key: worker logs, activity failures in history
// and in the pending-activity view the Web UI shows, heartbeat details, CLI output, blob names, the simulator's log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { failureMessage } from '../../src/client';
import { startSimulator } from '../../src/simulator';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { rawHistoryText } from '../helpers/history';
import { startStack, workerLogs, type Stack } from '../helpers/stack';

// a value no shape rule would catch: only knowing it as a secret masks it
const KEY = `leaky-${randomBytes(16).toString('hex')}`;
process.env.LEAKY_KEY = KEY;
process.env.ARAZZO_BLOB_DIR = mkdtempSync(join(tmpdir(), 'arazzo-secret-blobs-'));

const DOC = join(PROJECT_ROOT, 'test', 'fixtures', 'secrets', 'failing.arazzo.yaml');
let stack: Stack;
let api: Server;
let apiUrl: string;
/** everything a person could read, gathered as the tests go */
const seen: Record<string, string[]> = { failures: [], history: [], pending: [], cli: [], blobs: [], simulator: [] };

function quoting(req: { headers: Record<string, string | string[] | undefined>; url?: string }): string {
  return `Incorrect API key provided: ${req.headers['x-api-key']}. You sent Authorization: ${req.headers.authorization} to ${req.url}`;
}

before(async () => {
  stack = await startStack();
  api = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/unauthorized') res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: quoting(req) } }));
    else if (path === '/broken') res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `upstream failed. ${quoting(req)}` } }));
    else if (path === '/drop') req.socket.destroy();
    else if (path === '/large') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: KEY, pad: 'x'.repeat(300_000) }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
});
after(async () => {
  await new Promise((r) => api?.close(r));
  await stack?.stop();
});

const request = (workflowId: string) => ({ document: DOC, workflowId, inputs: { apiKey: { $secret: 'LEAKY_KEY' } }, servers: { api: apiUrl } });

/** Start a run, watch its pending activities (what the Web UI shows while it runs) until it ends. */
async function runWatched(workflowId: string): Promise<{ message: string; history: string }> {
  const started = await stack.client.start(request(workflowId));
  const done = started.handle.result().then(
    () => 'completed',
    (err) => failureMessage(err),
  );
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const d = await started.handle.describe();
    seen.pending.push(JSON.stringify(d.raw.pendingActivities ?? [], (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v)));
    await new Promise((r) => setTimeout(r, 300));
  }
  const message = await done;
  seen.failures.push(message);
  const history = await rawHistoryText(stack.client, started.workflowId);
  seen.history.push(history);
  return { message, history };
}

describe('a key the API echoes back is masked everywhere', () => {
  test('401: the failure names the step and status, and quotes the provider without the key', async () => {
    const { message, history } = await runWatched('unauthorized');
    assert.match(message, /step callUnauthorized failed: HTTP 401/);
    assert.match(message, /Incorrect API key provided: \*\*\*\. You sent Authorization: Bearer \*\*\* to \/unauthorized\?api_key=\*\*\*/);
    assert.match(history, /Incorrect API key provided: \*\*\*/, 'the masked message is what history holds');
  });

  test('500 retried until the step timeout: every attempt failure and the final one are masked', async () => {
    const { message, history } = await runWatched('broken');
    assert.match(message, /callBroken/);
    assert.match(history, /HTTP 500 — upstream failed\. Incorrect API key provided: \*\*\*/, 'the 500 reached history as the last failure');
    assert.ok(seen.pending.some((p) => p.includes('HTTP 500')), 'the pending activity showed the 500 while it ran');
  });

  test('transport error retried until the step timeout: masked too', async () => {
    const { message, history } = await runWatched('transport');
    assert.match(message, /callDrop/);
    assert.match(history, /ECONNRESET|socket hang up/, 'the transport error reached history');
  });

  test('the CLI prints the 401 failure masked', async () => {
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(
        process.execPath,
        [join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js'), 'run', DOC, '-w', 'unauthorized', '--secret', 'apiKey=LEAKY_KEY', '--server', `api=${apiUrl}`, '--address', stack.server.address, '--no-progress'],
        { cwd: PROJECT_ROOT, env: process.env, timeout: 120_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    seen.cli.push(r.out);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /HTTP 401.*Incorrect API key provided: \*\*\*/);
  });

  test('a large response goes to the blob store under its sha256, and history keeps the echoed key out', async () => {
    const result = await stack.client.run(request('large'));
    const ref = result.outputs.body as { $blob?: string; sha256?: string };
    assert.ok(ref.$blob && ref.sha256, `a blob reference: ${JSON.stringify(ref).slice(0, 200)}`);
    const names = readdirSync(process.env.ARAZZO_BLOB_DIR!, { recursive: true }).map(String);
    assert.ok(names.some((n) => n.includes(ref.sha256!)), `the blob is stored by its hash: ${names.join(', ')}`);
    seen.blobs.push(names.join('\n'), JSON.stringify(ref));
  });

  test("the simulator's request log masks a key in the query; headers are never logged", async () => {
    const lines: string[] = [];
    const sim = await startSimulator({ port: 0, timing: 'fast', apiKeys: ['sim-good-key-0000000000'], log: (l) => lines.push(l) });
    try {
      const r = await axios.get(`${sim.url}/v1/files?api_key=${KEY}&limit=1`, { headers: { Authorization: `Bearer ${KEY}`, 'x-api-key': KEY }, validateStatus: () => true });
      assert.equal(r.status, 401, 'the simulator refused the key');
      assert.ok(lines.some((l) => /GET \/v1\/files\?api_key=\*\*\*&limit=1 → 401/.test(l)), lines.join('\n'));
      seen.simulator.push(...lines, JSON.stringify(sim.requests));
    } finally {
      await sim.close();
    }
  });

  test('the key appears in none of the places searched', () => {
    assert.ok(workerLogs.some((l) => l.includes('HTTP 500')), 'the worker logged the retried 500s');
    assert.ok(workerLogs.some((l) => /ECONNRESET|socket hang up/.test(l)), 'the worker logged the transport error');
    const places = { ...seen, workerLogs };
    for (const [place, texts] of Object.entries(places)) {
      assert.ok(texts.length > 0, `${place} was searched`);
      for (const text of texts) assert.ok(!text.includes(KEY), `the key leaked into ${place}: …${text.slice(Math.max(0, text.indexOf(KEY) - 200), text.indexOf(KEY) + 100)}…`);
    }
  });
});
