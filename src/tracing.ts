// Optional OpenTelemetry tracing of the worker (`worker --otlp-endpoint <url>`, or the standard
// OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): Temporal's interceptors (workflow, activity) and
// one span per HTTP step execution (src/activities/step-span.ts), exported as OTLP/HTTP JSON. Off by default, and
// then nothing of OpenTelemetry is loaded: an idle worker stays as small as before. Every exported span passes a
// masking layer (the worker's secret masking) on its way out, on top of spans that carry no value to begin with.
import type * as otel from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import type { ExportResult } from '@opentelemetry/core';
import { maskDeep, maskSecrets } from './core/mask';
import { useTracer } from './activities/step-span';

export const DEFAULT_SERVICE_NAME = 'arazzo-temporal-worker';

export interface TracingOptions {
  /**
   * the OTLP/HTTP base URL (as OTEL_EXPORTER_OTLP_ENDPOINT: /v1/traces is appended), e.g. http://127.0.0.1:4318;
   * without it the exporter reads OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT
   */
  endpoint?: string;
  /** the resource's service.name (default OTEL_SERVICE_NAME, else arazzo-temporal-worker) */
  serviceName?: string;
}

/** Tracing as a flag and the environment ask for it: the flag, else an OTLP endpoint in the environment; else off. */
export function tracingOptions(endpointFlag: string | undefined, env: NodeJS.ProcessEnv = process.env): TracingOptions | undefined {
  if (endpointFlag !== undefined) return { endpoint: endpointFlag };
  if (env.OTEL_SDK_DISABLED === 'true') return undefined;
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT ? {} : undefined;
}

/** The traces URL of a base endpoint: /v1/traces appended, unless it is there already. */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

/** A span as exported, its name, attributes, event attributes and status message masked of secrets. */
export function maskedSpan(span: ReadableSpan): ReadableSpan {
  return Object.create(span, {
    name: { value: maskSecrets(span.name) },
    attributes: { value: maskDeep(span.attributes) },
    events: { value: span.events.map((e) => ({ ...e, name: maskSecrets(e.name), attributes: e.attributes && maskDeep(e.attributes) })) },
    status: { value: { ...span.status, ...(span.status.message !== undefined && { message: maskSecrets(span.status.message) }) } },
  }) as ReadableSpan;
}

function maskingExporter(inner: SpanExporter): SpanExporter {
  return {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) => inner.export(spans.map(maskedSpan), done),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

export interface Tracing {
  api: typeof otel;
  tracer: otel.Tracer;
  resource: Resource;
  /** where the workflow spans go too (the interceptors' sink) */
  processor: SpanProcessor;
  /** send what is buffered */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

/** The process's tracing, when enableTracing installed it. */
export function activeTracing(): Tracing | undefined {
  return installed;
}

/** Install the tracer provider (process-wide, once): OTLP/HTTP JSON exporter, batch processor, W3C propagation. */
export function enableTracing(opts: TracingOptions = {}): Tracing {
  if (installed) return installed;
  // loaded here, only when tracing is on
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } =
    require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { Resource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { BasicTracerProvider, BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const serviceName = opts.serviceName ?? (process.env.OTEL_SERVICE_NAME || DEFAULT_SERVICE_NAME);
  const resource = Resource.default().merge(new Resource({ 'service.name': serviceName }));
  const exporter = new OTLPTraceExporter(opts.endpoint ? { url: tracesUrl(opts.endpoint) } : {});
  const processor = new BatchSpanProcessor(maskingExporter(exporter));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  const tracer = api.trace.getTracer('arazzo-temporal');
  useTracer(api, tracer);
  installed = {
    api,
    tracer,
    resource,
    processor,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return installed;
}

/** What Worker.create gets when the process traces: the activity interceptors and the workflow spans' sink. */
export function workerTracingOptions(t: Tracing): {
  interceptors: { activity: import('@temporalio/worker').ActivityInterceptorsFactory[] };
  sinks: import('@temporalio/worker').InjectedSinks<import('@temporalio/interceptors-opentelemetry').OpenTelemetrySinks>;
} {
  const otelInterceptors = require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new otelInterceptors.OpenTelemetryActivityInboundInterceptor(ctx, { tracer: t.tracer }),
          outbound: new otelInterceptors.OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: otelInterceptors.makeWorkflowExporter(t.processor, t.resource) },
  };
}
