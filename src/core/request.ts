// Build the HTTP request of a step from its plan and the expression context. Pure: the result still
// holds secret references/placeholders, which only the activity resolves.
import { evaluateValue, isXPathTarget, parseTemplate, replaceInXml, targetPointers, type ParsedExpression, type Template } from './expr';
import { setPointer } from './jsonpointer';
import { serializeQuerystring } from './compile/querystring';
import type { OperationStep } from './plan';
import { isSecretRef, type ExpressionContext, type ResolvedRequest, type SecretRef } from './types';

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Why a parameter's value is empty, for the message: the expression, and the input or output it reads. */
export function whyEmpty(value: unknown, ctx: ExpressionContext, templates?: Record<string, Template>): string {
  if (typeof value !== 'string') return `its value ${JSON.stringify(value)} is empty`;
  const t = templates ? (Object.hasOwn(templates, value) ? templates[value] : undefined) : parseTemplate(value);
  const exprs = !t ? [] : 'expr' in t ? [t.expr] : t.parts.filter((p): p is ParsedExpression => typeof p !== 'string');
  const reads = exprs.flatMap((e) => {
    if (e.root === 'inputs') {
      const name = e.name.split('.')[0];
      return [
        ctx.inputs[name] === undefined
          ? `input "${name}" was not given (and its schema has no default)`
          : `input "${name}" is ${JSON.stringify(ctx.inputs[name])}`,
      ];
    }
    if (e.root !== 'steps') return [];
    const output = e.name.split('.')[0];
    return [
      ctx.steps[e.stepId]
        ? `output "${output}" of step ${e.stepId} is ${JSON.stringify(ctx.steps[e.stepId].outputs?.[output]) ?? 'absent'}`
        : `step ${e.stepId} has not run`,
    ];
  });
  return `"${value}" evaluated to nothing${reads.length ? ` (${reads.join('; ')})` : ''}`;
}

export function buildRequest(
  step: Pick<OperationStep, 'operation' | 'parameters' | 'requestBody' | 'stepId' | 'expressions'>,
  ctx: ExpressionContext,
): ResolvedRequest {
  const opts = { templates: step.expressions };
  const headers: Record<string, string | SecretRef> = {};
  const query: Record<string, string | SecretRef> = {};
  const cookies: Record<string, string | SecretRef> = {};
  const pathParams: Record<string, string | SecretRef> = {};
  let queryString: string | undefined;
  for (const p of step.parameters) {
    const value = evaluateValue(p.value, ctx, opts);
    if (value === undefined || value === null || value === '') {
      // a required parameter is never sent without a value; an optional one is left out, never sent as ""
      if (p.required && p.in !== 'path')
        throw new Error(`required ${p.in} parameter "${p.name}" has no value: ${whyEmpty(p.value, ctx, step.expressions)}`);
      if (p.in !== 'path') continue;
    }
    if (p.in === 'querystring') {
      // the whole query string (Arazzo 1.1, OpenAPI 3.2): the compiler refused query parameters beside it
      if (isSecretRef(value)) throw new Error(`step ${step.stepId}: querystring parameter "${p.name}" cannot be a secret`);
      queryString = serializeQuerystring(value, p.contentType);
      continue;
    }
    const into = { header: headers, query, cookie: cookies, path: pathParams }[p.in];
    // A secret reference stays an object here; the activity turns it into the value.
    into[p.name] = isSecretRef(value) ? value : asText(value);
  }
  const path = step.operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = pathParams[name];
    if (isSecretRef(v)) throw new Error(`step ${step.stepId}: path parameter "${name}" cannot be a secret`);
    if (v === undefined || v === '') {
      const p = step.parameters.find((x) => x.in === 'path' && x.name === name);
      throw new Error(
        `step ${step.stepId}: path parameter "${name}" evaluated to nothing${p ? `: ${whyEmpty(p.value, ctx, step.expressions)}` : ''}`,
      );
    }
    return encodeURIComponent(v);
  });
  const request: ResolvedRequest = {
    method: step.operation.method,
    url: step.operation.serverUrl + path + (queryString ? `?${queryString}` : ''),
    headers,
    query,
    cookies,
    path: pathParams,
  };
  if (step.requestBody) {
    let value = evaluateValue(step.requestBody.payload, ctx, opts);
    for (const r of step.requestBody.replacements ?? []) {
      const replacement = evaluateValue(r.value, ctx, opts);
      if (r.targetSelectorType === undefined) value = setPointer(value, r.target, replacement);
      else if (isXPathTarget(r.targetSelectorType)) value = replaceInXml(r.target, r.targetSelectorType, value, replacement);
      else for (const at of targetPointers(r.target, r.targetSelectorType, value)) value = setPointer(value, at, replacement);
    }
    request.body = { contentType: step.requestBody.contentType, value, fileFields: step.requestBody.fileFields };
  }
  return request;
}
