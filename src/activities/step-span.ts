// One OpenTelemetry span per execution of an HTTP step (one activity attempt), when the worker traces
// (`worker --otlp-endpoint`, src/tracing.ts). Without tracing nothing here loads the OpenTelemetry API: the worker
// hands it over (useTracer) only when it is on. The span carries what identifies the step and its exchange, never a
// value of it: method, path template (not the URL), status, attempt, ids. No header, query, body or full URL.
import type * as otel from '@opentelemetry/api';
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { redact } from './secrets';
import type { RunStepInput } from './types';

let api: typeof otel | undefined;
let tracer: otel.Tracer | undefined;

/** Turn step spans on (the worker, when it traces). */
export function useTracer(otelApi: typeof otel, t: otel.Tracer): void {
  api = otelApi;
  tracer = t;
}

/** A document's location without what a URL may carry besides it: credentials, query, fragment. */
export function documentName(location: string): string {
  const bare = location.replace(/[?#].*$/s, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(bare) ? bare.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1') : bare;
}

/** The span attributes of a step execution, before its response. */
export function stepAttributes(input: RunStepInput, attempt: number, temporalWorkflowId?: string): otel.Attributes {
  const { step } = input;
  return {
    'arazzo.step.id': step.stepId,
    'arazzo.step.attempt': attempt,
    'http.request.method': step.operation.method.toUpperCase(),
    'url.template': step.operation.path,
    ...(input.arazzo && { 'arazzo.workflow.id': input.arazzo.workflowId, 'arazzo.document': documentName(input.arazzo.document) }),
    ...(temporalWorkflowId !== undefined && { temporalWorkflowId }),
  };
}

/** The status of the response the step got (on the step span, when there is one). */
export function noteResponseStatus(status: number): void {
  api?.trace.getActiveSpan()?.setAttribute('http.response.status_code', status);
}

/** `run` inside a span `arazzo.step <stepId>` when tracing is on; else just `run`. */
export function withStepSpan<T>(run: (input: RunStepInput) => Promise<T>): (input: RunStepInput) => Promise<T> {
  return async (input) => {
    if (!api || !tracer) return run(input);
    const o = api;
    const info = activityInfo();
    const attributes = stepAttributes(input, info.attempt, info.workflowExecution?.workflowId);
    return tracer.startActiveSpan(`arazzo.step ${input.step.stepId}`, { kind: o.SpanKind.CLIENT, attributes }, async (span) => {
      try {
        const out = await run(input);
        span.setStatus({ code: o.SpanStatusCode.OK });
        return out;
      } catch (err) {
        // polling again is no error; anything else is, with its message scrubbed of secrets
        const benign = err instanceof ApplicationFailure && err.category === ApplicationFailureCategory.BENIGN;
        if (err instanceof ApplicationFailure && err.type) span.setAttribute('error.type', err.type);
        if (!benign) span.setStatus({ code: o.SpanStatusCode.ERROR, message: redact((err as Error)?.message ?? String(err)) });
        throw err;
      } finally {
        span.end();
      }
    });
  };
}
