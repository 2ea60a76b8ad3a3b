// `worker --otlp-endpoint`: the real CLI worker in a child process traces to an OTLP/HTTP receiver on loopback (a
// tiny node server taking POST /v1/traces as JSON, what @opentelemetry/exporter-trace-otlp-http sends). A seed run
// with one injected 429 on the create: every step has its `arazzo.step <stepId>` span with method, path template,
// status, attempt and ids; the rate-limited attempt is an ERROR span, its retry attempt 2; the step spans hang under
// Temporal's activity spans in the run's one trace; and no secret is anywhere in what the receiver got.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArazzoClient } from '../../src/client';
import { enableTracing, type Tracing } from '../../src/tracing';
import { seedRun } from '../helpers/runs';
import { OPENAI_KEY, spawnWorker, startStack, waitFor, type Stack } from '../helpers/stack';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: OtlpValue }[];
  status: { code?: number; message?: string };
}
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attrs: Record<string, string | number | boolean | undefined>;
  status: { code?: number; message?: string };
  service?: string;
}

let stack: Stack;
let worker: ChildProcess & { output: string[] };
let receiver: Server;
/** this process traces too, as an application would, so that its client's start call opens the run's trace */
let clientTracing: Tracing;
let client: ArazzoClient;
/** every request body the receiver got, as sent */
const bodies: string[] = [];
const requests: { method?: string; url?: string; contentType?: string }[] = [];

const value = (v: OtlpValue) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue);

function spans(): Span[] {
  return bodies.flatMap((body) => {
    const { resourceSpans } = JSON.parse(body) as {
      resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
    };
    return resourceSpans.flatMap((rs) => {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
      return rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((s) => ({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId || undefined,
          name: s.name,
          attrs: Object.fromEntries(s.attributes.map((a) => [a.key, value(a.value)])),
          status: s.status ?? {},
          service,
        })),
      );
    });
  });
}

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, contentType: req.headers['content-type'] });
      if (req.method === 'POST' && req.url === '/v1/traces') bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const { port } = receiver.address() as AddressInfo;
  stack = await startStack({ inProcessWorker: false });
  clientTracing = enableTracing({ endpoint: `http://127.0.0.1:${port}`, serviceName: 'tracing-test-client' });
  client = await ArazzoClient.connect({ address: stack.server.address, tracing: true });
  // spans leave every 200 ms instead of 5 s; the flag wins over an endpoint in the environment
  worker = await spawnWorker(stack.server.address, {
    args: ['--otlp-endpoint', `http://127.0.0.1:${port}`],
    env: { OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
  });
});
after(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await client?.close();
  await clientTracing?.shutdown();
  await stack?.stop();
  await new Promise((r) => receiver?.close(r));
});

const STEPS = ['uploadInput', 'createBatch', 'pollBatch', 'getResult'];
const TEMPLATES: Record<string, [string, string]> = {
  uploadInput: ['POST', '/files'],
  createBatch: ['POST', '/batches'],
  pollBatch: ['GET', '/batches/{batch_id}'],
  getResult: ['GET', '/batches/{batch_id}'],
};

test('one span per step execution with method, path template, status, attempt and ids; the retried create is attempt 2; no secret', async () => {
  stack.simulator.setFaults({
    rules: [{ kind: 'rate_limit', method: 'POST', path: '^/v1/batches$', times: 1, retryAfterMs: 300, hint: 'retry-after-ms' }],
  });
  const { handle, workflowId } = await client.start({ ...seedRun('openai-batch-job', stack.simulator.url), poll: stack.poll });
  await handle.result();
  await clientTracing.flush();
  const ofRun = () => spans().filter((s) => s.name.startsWith('arazzo.step ') && s.attrs.temporalWorkflowId === workflowId);
  await waitFor('the step spans of the run', () => STEPS.every((id) => ofRun().some((s) => s.attrs['arazzo.step.id'] === id)), 30_000);
  await waitFor('the workflow span of the run', () => spans().some((s) => s.name === 'RunWorkflow:arazzoWorkflow'), 30_000);

  const stepSpans = ofRun();
  for (const s of stepSpans) {
    const id = String(s.attrs['arazzo.step.id']);
    assert.equal(s.name, `arazzo.step ${id}`);
    assert.deepEqual([s.attrs['http.request.method'], s.attrs['url.template']], TEMPLATES[id], `${id}: ${JSON.stringify(s.attrs)}`);
    assert.equal(s.attrs['arazzo.workflow.id'], 'batch-job');
    assert.match(String(s.attrs['arazzo.document']), /openai-batch-job\.arazzo\.yaml$/);
    assert.equal(typeof s.attrs['http.response.status_code'], 'number', `${id}: ${JSON.stringify(s.attrs)}`);
    assert.ok(Number.isInteger(s.attrs['arazzo.step.attempt']) && Number(s.attrs['arazzo.step.attempt']) >= 1);
    assert.equal(s.service, 'arazzo-temporal-worker');
    // nothing that could hold a value of the request: no full URL, query, header
    for (const key of Object.keys(s.attrs)) assert.doesNotMatch(key, /^url\.(full|query)$|^http\.request\.header|^http\.response\.header/);
  }
  // the create: attempt 1 rate-limited (an ERROR span with the provider's message), attempt 2 created
  const creates = stepSpans
    .filter((s) => s.attrs['arazzo.step.id'] === 'createBatch')
    .sort((a, b) => Number(a.attrs['arazzo.step.attempt']) - Number(b.attrs['arazzo.step.attempt']));
  assert.deepEqual(
    creates.map((s) => [s.attrs['arazzo.step.attempt'], s.attrs['http.response.status_code'], s.status.code]),
    [
      [1, 429, 2],
      [2, 200, 1],
    ],
  );
  assert.match(creates[0].status.message ?? '', /createBatch · POST \/batches: HTTP 429/);
  assert.equal(creates[0].attrs['error.type'], 'ArazzoHttp429');
  // steps that were not retried ran once, each attempt 1
  for (const id of ['uploadInput', 'getResult'])
    assert.deepEqual(
      stepSpans
        .filter((s) => s.attrs['arazzo.step.id'] === id)
        .map((s) => [s.attrs['arazzo.step.attempt'], s.attrs['http.response.status_code'], s.status.code]),
      [[1, 200, 1]],
    );

  // each step span is a child of Temporal's activity span, and the run is one trace with its workflow span
  const all = spans();
  for (const s of stepSpans) {
    const parent = all.find((p) => p.spanId === s.parentSpanId);
    assert.equal(parent?.name, 'RunActivity:runStep', `parent of ${s.name}`);
  }
  assert.equal(new Set(stepSpans.map((s) => s.traceId)).size, 1, 'the step spans of the run are one trace');
  assert.ok(all.some((s) => s.name === 'RunWorkflow:arazzoWorkflow' && s.traceId === stepSpans[0].traceId));
  // ... which the client's start call began (ArazzoClient.connect({ tracing: true }), in this process)
  const startSpan = all.find((s) => s.name === 'StartWorkflow:arazzoWorkflow' && s.service === 'tracing-test-client');
  assert.equal(startSpan?.traceId, stepSpans[0].traceId, 'the run continues the trace of its start call');

  // what was exported: OTLP JSON to /v1/traces of the flag's endpoint, and no secret anywhere in it
  assert.ok(requests.every((r) => r.method === 'POST' && r.url === '/v1/traces' && /application\/json/.test(r.contentType ?? '')));
  const everything = bodies.join('\n');
  assert.equal(everything.includes(OPENAI_KEY), false, 'the API key is in an exported span');
  assert.doesNotMatch(everything, /Bearer|sk-[A-Za-z0-9]|authorization|\?[a-z_]+=/i);
  assert.doesNotMatch(worker.output.join(''), new RegExp(OPENAI_KEY));
});
