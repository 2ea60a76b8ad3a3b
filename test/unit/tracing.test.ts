// Tracing (src/tracing.ts, src/activities/step-span.ts) without a server: when it is on, the step span's name,
// attributes and status; a failed attempt's message scrubbed of a secret; polling again is no error; the masking layer
// every exported span passes; and with tracing off, no OpenTelemetry module is loaded at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { documentName, noteResponseStatus, useTracer, withStepSpan } from '../../src/activities/step-span';
import { rememberSecret } from '../../src/core/mask';
import { DEFAULT_POLL } from '../../src/core/poll-policy';
import type { OperationStep } from '../../src/core/plan';
import type { RunStepInput } from '../../src/activities/types';
import { maskedSpan, tracesUrl, tracingOptions } from '../../src/tracing';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';

const SECRET = 'unit-secret-value-7d1e0c9b';
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
useTracer(api, provider.getTracer('unit'));

function input(): RunStepInput {
  const step: OperationStep = {
    kind: 'operation',
    stepId: 'getBatch',
    operation: { source: 'api', method: 'get', path: '/v1/batches/{batch_id}', serverUrl: 'https://api.example.test' },
    parameters: [{ name: 'Authorization', in: 'header', value: `Bearer ${SECRET}` }],
    successCriteria: [],
    onSuccess: [],
    onFailure: [],
    outputs: {},
    responseHeaders: [],
    poll: DEFAULT_POLL,
  };
  return {
    step,
    context: { inputs: { apiKey: SECRET }, steps: {} },
    idempotencyKey: 'k',
    exhaustedRetries: [],
    pollInActivity: false,
    arazzo: { workflowId: 'batch-job', document: 'https://user:pw@docs.example.test/a.arazzo.yaml?token=abc#x' },
  };
}

async function spanOf(run: () => Promise<unknown>, attempt = 1) {
  exporter.reset();
  const env = new MockActivityEnvironment({ attempt });
  await env.run(withStepSpan(run), input()).catch(() => undefined);
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 1);
  return spans[0];
}

test('a step execution is one span: name, method, path template, status, attempt, ids; no value of the request', async () => {
  const span = await spanOf(async () => noteResponseStatus(200), 3);
  assert.equal(span.name, 'arazzo.step getBatch');
  assert.deepEqual(span.attributes, {
    'arazzo.step.id': 'getBatch',
    'arazzo.step.attempt': 3,
    'http.request.method': 'GET',
    'url.template': '/v1/batches/{batch_id}',
    'arazzo.workflow.id': 'batch-job',
    'arazzo.document': 'https://docs.example.test/a.arazzo.yaml',
    temporalWorkflowId: 'test',
    'http.response.status_code': 200,
  });
  assert.equal(span.status.code, api.SpanStatusCode.OK);
  assert.doesNotMatch(JSON.stringify(span.attributes), new RegExp(SECRET));
});

test('a failed attempt: status ERROR, its message scrubbed of the secret, the error type', async () => {
  rememberSecret(SECRET);
  const span = await spanOf(async () => {
    noteResponseStatus(500);
    throw ApplicationFailure.create({ message: `getBatch: HTTP 500 — echoed ${SECRET}`, type: 'ArazzoHttp500' });
  });
  assert.equal(span.status.code, api.SpanStatusCode.ERROR);
  assert.equal(span.status.message, 'getBatch: HTTP 500 — echoed ***');
  assert.equal(span.attributes['error.type'], 'ArazzoHttp500');
  assert.equal(span.attributes['http.response.status_code'], 500);
});

test('polling again (a benign failure) is no error', async () => {
  const span = await spanOf(async () => {
    throw ApplicationFailure.create({ message: 'polling again', type: 'ArazzoPollPending', category: ApplicationFailureCategory.BENIGN });
  });
  assert.equal(span.status.code, api.SpanStatusCode.UNSET);
});

test('every exported span is masked: name, attributes, event attributes, status message', async () => {
  rememberSecret(SECRET);
  exporter.reset();
  const tracer = provider.getTracer('unit');
  const raw = tracer.startSpan(`leak ${SECRET}`, { attributes: { a: `x ${SECRET}`, n: 1, list: [`Bearer ${SECRET}`] } });
  raw.addEvent('exception', { 'exception.message': `boom ${SECRET}` });
  raw.setStatus({ code: api.SpanStatusCode.ERROR, message: `failed: ${SECRET}` });
  raw.end();
  const masked = maskedSpan(exporter.getFinishedSpans()[0]);
  assert.equal(masked.name, 'leak ***');
  assert.deepEqual(masked.attributes, { a: 'x ***', n: 1, list: ['Bearer ***'] });
  assert.deepEqual(masked.events[0].attributes, { 'exception.message': 'boom ***' });
  assert.equal(masked.status.message, 'failed: ***');
  // the rest of the span is the span's own
  assert.equal(masked.spanContext().traceId, exporter.getFinishedSpans()[0].spanContext().traceId);
  assert.equal(masked.kind, exporter.getFinishedSpans()[0].kind);
});

test('options: the flag, else an OTLP endpoint in the environment, else off', () => {
  assert.deepEqual(tracingOptions('http://127.0.0.1:4318', {}), { endpoint: 'http://127.0.0.1:4318' });
  assert.deepEqual(tracingOptions(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), {});
  assert.deepEqual(tracingOptions(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), {});
  assert.equal(tracingOptions(undefined, {}), undefined);
  assert.equal(tracingOptions(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), undefined);
  assert.equal(tracesUrl('http://127.0.0.1:4318'), 'http://127.0.0.1:4318/v1/traces');
  assert.equal(tracesUrl('http://127.0.0.1:4318/'), 'http://127.0.0.1:4318/v1/traces');
  assert.equal(tracesUrl('http://c/v1/traces'), 'http://c/v1/traces');
  assert.equal(documentName('/srv/docs/a.arazzo.yaml'), '/srv/docs/a.arazzo.yaml');
  assert.equal(documentName('https://u:p@h.test/a.yaml?sig=1'), 'https://h.test/a.yaml');
});

/** How many modules whose path matches `pattern` a fresh process has loaded after requiring `entries`. */
function loadedMatching(entries: string[], pattern: string): string {
  const code =
    `for (const m of ${JSON.stringify(entries)}) require(m);` +
    `process.stdout.write(String(Object.keys(require.cache).filter((k) => new RegExp(${JSON.stringify(pattern)}).test(k)).length))`;
  return execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: PROJECT_ROOT, encoding: 'utf8' });
}

test('tracing off: loading the worker, the client, the CLI and dev loads no OpenTelemetry module', () => {
  assert.equal(loadedMatching(['./src/worker', './src/client', './src/cli', './src/dev/index'], 'opentelemetry'), '0');
});

test('loading the worker and its activities loads no MQTT client (mqtt is required at the first MQTT server a run uses)', () => {
  assert.equal(loadedMatching(['./src/worker', './src/activities'], 'node_modules/mqtt/'), '0');
});
