// `in: querystring` (Arazzo 1.1, OpenAPI 3.2): one parameter whose value is the whole query string, serialized
// per the media type of the operation parameter's `content`. OpenAPI 3.2 (Parameter Object, `in`): "querystring"
// parameters MUST NOT appear together with "query" parameters in the same operation, and at most once; Arazzo 1.1
// (Parameter Object): "The querystring location cannot coexist with query parameters in the same operation".
import type { OperationInfo } from '../openapi';
import type { PlanParameter } from '../types';
import type { Compiler } from './compiler';
import type { Where } from './types';

/** The media type of a querystring parameter whose operation declares none (Arazzo 1.1's examples use it). */
export const QUERYSTRING_DEFAULT_TYPE = 'application/x-www-form-urlencoded';

/** Refuse what OpenAPI 3.2 forbids: a querystring parameter next to query parameters, or two of them. */
export function checkQuerystring(
  c: Compiler,
  merged: Map<string, PlanParameter>,
  sites: Map<string, (string | number)[]>,
  info: OperationInfo | undefined,
  where: Where,
): void {
  const keys = [...merged.keys()];
  const qs = keys.filter((k) => merged.get(k)!.in === 'querystring');
  if (qs.length === 0) {
    const declared = info?.parameters.find((d) => d.in === 'querystring');
    const query = keys.find((k) => merged.get(k)!.in === 'query');
    if (declared && query) {
      const msg = `parameter "${merged.get(query)!.name}" is in: query, but ${info?.method} ${info?.path} takes its query string as one parameter ("${declared.name}", in: querystring), which cannot coexist with query parameters (OpenAPI 3.2)`;
      c.report('error', 'querystring-with-query', msg, sites.get(query)!, where);
    }
    return;
  }
  const name = (k: string) => merged.get(k)!.name;
  if (qs.length > 1) {
    const msg = `the step has ${qs.length} querystring parameters (${qs.map(name).join(', ')}); an operation's whole query string is one parameter`;
    c.report('error', 'querystring-twice', msg, sites.get(qs[1])!, where);
  }
  const query = keys.find((k) => merged.get(k)!.in === 'query');
  if (query) {
    const msg = `parameter "${name(qs[0])}" (in: querystring) is the whole query string: it cannot coexist with query parameter "${name(query)}" (OpenAPI 3.2); put "${name(query)}" into the querystring value`;
    c.report('error', 'querystring-with-query', msg, sites.get(query)!, where);
  }
  const declaredQuery = info?.parameters.find((d) => d.in === 'query');
  if (declaredQuery && !info?.parameters.some((d) => d.in === 'querystring')) {
    const msg = `parameter "${name(qs[0])}" is in: querystring, but ${info?.method} ${info?.path} declares query parameters (e.g. "${declaredQuery.name}"), which cannot coexist with a querystring parameter (OpenAPI 3.2)`;
    c.report('error', 'querystring-with-query', msg, sites.get(qs[0])!, where);
  }
}

/** Serialize a querystring parameter's value: a string is the query string as written, an object per the media type. */
export function serializeQuerystring(value: unknown, contentType: string | undefined): string {
  const type = (contentType ?? QUERYSTRING_DEFAULT_TYPE).split(';')[0].trim().toLowerCase();
  const form = type === QUERYSTRING_DEFAULT_TYPE;
  // a form string is sent as written (it is already `k=v&…`), with what a URL cannot hold percent-encoded
  if (typeof value === 'string')
    return form ? value.replace(/^\?/, '').replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/g, encodeURIComponent) : encodeURIComponent(value);
  if (form && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      for (const item of Array.isArray(v) ? v : [v])
        if (item !== undefined) params.append(k, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
    return params.toString();
  }
  return encodeURIComponent(typeof value === 'object' ? JSON.stringify(value) : String(value));
}
