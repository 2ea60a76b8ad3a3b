// Pure reading of an OpenAPI 3.x description: operations by id or by JSON pointer, with their method,
// path, servers, parameters and the request/response media types an executor needs.
import { getPointer } from './jsonpointer';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OperationInfo {
  operationId?: string;
  method: string;
  path: string;
  /** JSON pointer of the operation inside its description, e.g. /paths/~1batches/post */
  pointer: string;
  servers: string[];
  /** contentType: the first media type of a parameter's `content` (OpenAPI 3.2 `in: querystring` has one) */
  parameters: { name: string; in: string; required: boolean; contentType?: string }[];
  requestBody?: { required: boolean; contentTypes: string[]; fileFields: Record<string, string[]> };
  responseContentTypes: string[];
  /** the operation is marked `x-idempotent: true`: a POST/PATCH that may be sent again after a lost response */
  idempotent?: boolean;
}

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Follow local `$ref`s (`#/components/...`) until a non-reference object. */
export function deref(spec: Obj, value: unknown, depth = 0): Obj | undefined {
  if (!isObj(value)) return undefined;
  if (typeof value.$ref !== 'string' || depth > 32) return value;
  if (!value.$ref.startsWith('#')) return undefined;
  return deref(spec, getPointer(spec, decodeURIComponent(value.$ref.slice(1))), depth + 1);
}

function serverUrls(spec: Obj, pathItem: Obj, op: Obj): string[] {
  const servers: unknown[] = op.servers ?? pathItem.servers ?? spec.servers ?? [{ url: '/' }];
  return servers
    .filter(isObj)
    .map((s) => String(s.url).replace(/\{([^}]+)\}/g, (_, name: string) => String(s.variables?.[name]?.default ?? `{${name}}`)));
}

function fileFieldsOf(spec: Obj, schema: unknown, depth = 0): string[] {
  const s = deref(spec, schema);
  if (!s || depth > 8) return [];
  const fields: string[] = [];
  for (const [name, prop] of Object.entries<Obj>(s.properties ?? {})) {
    const p = deref(spec, prop);
    const item = p?.type === 'array' ? deref(spec, p.items) : p;
    if (item && (item.format === 'binary' || item.contentMediaType !== undefined || item.contentEncoding !== undefined)) fields.push(name);
  }
  for (const part of [...(s.allOf ?? []), ...(s.oneOf ?? []), ...(s.anyOf ?? [])]) fields.push(...fileFieldsOf(spec, part, depth + 1));
  return [...new Set(fields)];
}

function describe(spec: Obj, path: string, method: string, pathItem: Obj, op: Obj): OperationInfo {
  const params = new Map<string, OperationInfo['parameters'][number]>();
  for (const raw of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const p = deref(spec, raw);
    const contentType = isObj(p?.content) ? Object.keys(p.content)[0] : undefined;
    if (p?.name && p.in)
      params.set(`${p.in}:${String(p.name).toLowerCase()}`, {
        name: p.name,
        in: p.in,
        required: !!p.required || p.in === 'path',
        ...(contentType && { contentType }),
      });
  }
  const body = deref(spec, op.requestBody);
  const content: Obj = body?.content ?? {};
  const fileFields: Record<string, string[]> = {};
  for (const [type, media] of Object.entries<Obj>(content)) {
    const fields = fileFieldsOf(spec, media?.schema);
    if (fields.length) fileFields[type] = fields;
  }
  const responses: Obj = op.responses ?? {};
  const ok = Object.keys(responses).find((code) => /^2/.test(code)) ?? 'default';
  return {
    operationId: op.operationId,
    method: method.toUpperCase(),
    path,
    pointer: `/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`,
    servers: serverUrls(spec, pathItem, op),
    parameters: [...params.values()],
    requestBody: body ? { required: !!body.required, contentTypes: Object.keys(content), fileFields } : undefined,
    responseContentTypes: Object.keys(deref(spec, responses[ok])?.content ?? {}),
    ...(op['x-idempotent'] === true && { idempotent: true }),
  };
}

/**
 * The string enums of an operation's 2xx JSON response body, by JSON pointer into the body (`/status`), down to
 * three levels and through allOf/oneOf/anyOf: what a poll's criteria may compare against, so the linter can tell
 * whether a loop's actions cover every value the description says the field can take.
 */
export function responseEnums(spec: unknown, pointer: string): Record<string, string[]> {
  if (!isObj(spec)) return {};
  // by description and pointer, as listOperations: the same operation of a shared description is asked again by
  // every document (and every compile) that calls it
  let byPointer = enumsCache.get(spec);
  if (!byPointer) enumsCache.set(spec, (byPointer = new Map()));
  let enums = byPointer.get(pointer);
  if (!enums) byPointer.set(pointer, (enums = enumsOf(spec, pointer)));
  return enums;
}

const enumsCache = new WeakMap<object, Map<string, Record<string, string[]>>>();

function enumsOf(spec: Obj, pointer: string): Record<string, string[]> {
  const op = deref(spec, getPointer(spec, pointer));
  if (!op) return {};
  const responses: Obj = op.responses ?? {};
  const ok = Object.keys(responses).find((code) => /^2/.test(code));
  const content: Obj = (ok && deref(spec, responses[ok])?.content) || {};
  const media = Object.entries<Obj>(content).find(([type]) => /json/i.test(type))?.[1];
  const out: Record<string, string[]> = {};
  const walk = (schema: unknown, at: string, depth: number) => {
    const s = deref(spec, schema);
    if (!s || depth > 3) return;
    if (Array.isArray(s.enum) && s.enum.every((v: unknown) => typeof v === 'string'))
      out[at] = [...new Set([...(out[at] ?? []), ...s.enum])];
    for (const part of [...(s.allOf ?? []), ...(s.oneOf ?? []), ...(s.anyOf ?? [])]) walk(part, at, depth);
    for (const [name, prop] of Object.entries<Obj>(isObj(s.properties) ? s.properties : {}))
      walk(prop, `${at}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
  };
  walk(media?.schema, '', 0);
  return out;
}

// by description: every document of a `validate` that names the same source, and every run the worker prepares against
// a cached one, would list its operations again (the lists are read, never changed)
const operationLists = new WeakMap<object, OperationInfo[]>();

/** Every operation of a description, in document order. */
export function listOperations(spec: unknown): OperationInfo[] {
  if (!isObj(spec) || !isObj(spec.paths)) return [];
  let ops = operationLists.get(spec);
  if (!ops) operationLists.set(spec, (ops = operationsOf(spec)));
  return ops;
}

function operationsOf(spec: Obj): OperationInfo[] {
  const ops: OperationInfo[] = [];
  for (const [path, rawItem] of Object.entries(spec.paths)) {
    const pathItem = deref(spec, rawItem);
    if (!pathItem) continue;
    for (const method of HTTP_METHODS) {
      if (isObj(pathItem[method])) ops.push(describe(spec, path, method, pathItem, pathItem[method]));
    }
  }
  return ops;
}

/** The operation a JSON pointer (`/paths/~1pets~1{id}/get`) names, if any. */
export function operationAtPointer(spec: unknown, pointer: string): OperationInfo | undefined {
  if (!isObj(spec)) return undefined;
  const m = /^\/paths\/([^/]+)\/([a-z]+)$/.exec(pointer);
  if (!m) return undefined;
  const path = m[1].replace(/~1/g, '/').replace(/~0/g, '~');
  const pathItem = deref(spec, spec.paths?.[path]);
  const op = pathItem?.[m[2]];
  return isObj(op) && pathItem ? describe(spec, path, m[2], pathItem, op) : undefined;
}
