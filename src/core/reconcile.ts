// x-temporal-reconcile: how to find what a create request made when its response was lost, so that the engine
// never sends a non-idempotent request twice without knowing the first did nothing. Declared on a create step
// (usually through an overlay):
//
//   x-temporal-reconcile:
//     marker: /metadata/arazzo_request      # JSON Pointer into the JSON request body: the engine writes the request's
//                                           # run-unique marker there (its Idempotency-Key)
//     lookup:                               # the operation that lists what may have been created (sent as GET)
//       operationId: listBatches
//       parameters: [...]                   # as a step's parameters; the same expressions the step can use
//     items: $.data[*]                      # RFC 9535 JSONPath over the lookup's response body: the candidates
//     match: /metadata/arazzo_request       # JSON Pointer in each candidate holding the marker (default: marker)
//     settle: 10s                           # found nothing: look again for this long before sending again (default 10s),
//                                           # so that a create the provider was still processing is found
//
// A candidate whose match pointer equals the marker is what the first attempt made: it becomes the step's response
// body (status: the lookup's), and the step's criteria and outputs are evaluated on it. None: the create was not
// processed, and is sent again. Pure code (compile and activity).
import { query, type JsonValue } from './jsonpath-rfc9535';
import { getPointer, parsePointer, setPointer } from './jsonpointer';
import { parseDuration } from './durations';
import type { ArazzoParameter, ArazzoStep, PlanOperation, PlanParameter, PlanReconcile } from './types';

export const RECONCILE_EXTENSION = 'x-temporal-reconcile';
const DEFAULT_SETTLE_MS = 10_000;

/** What compile.ts lends the reconcile compiler: reporting, and resolving an operation with its parameters. */
export interface ReconcileHooks {
  report(code: string, message: string, path: (string | number)[]): void;
  operationStep(pseudo: ArazzoStep, path: (string | number)[]): { operation: PlanOperation; parameters: PlanParameter[] } | undefined;
}

type ReconcileExtension = {
  marker?: unknown;
  match?: unknown;
  items?: unknown;
  settle?: unknown;
  lookup?: { operationId?: string; operationPath?: string; parameters?: ArazzoParameter[] };
};

/** The marker and match pointers, the items JSONPath and the settle time, each reported where it is wrong. */
function checkedFields(step: ArazzoStep, e: ReconcileExtension, at: (string | number)[], hooks: ReconcileHooks) {
  let ok = true;
  const pointer = (key: 'marker' | 'match') => {
    const v = e[key];
    if (typeof v !== 'string' || !v.startsWith('/')) {
      hooks.report('bad-extension', `${RECONCILE_EXTENSION}.${key} must be a JSON Pointer such as /metadata/arazzo_request`, [...at, key]);
      ok = false;
      return '';
    }
    parsePointer(v);
    return v;
  };
  const marker = pointer('marker');
  const match = e.match === undefined ? marker : pointer('match');
  if (typeof e.items !== 'string' || !e.items.startsWith('$')) {
    hooks.report('bad-extension', `${RECONCILE_EXTENSION}.items must be a JSONPath over the lookup's response body, such as $.data[*]`, [
      ...at,
      'items',
    ]);
    ok = false;
  } else {
    try {
      query({}, e.items);
    } catch (err) {
      hooks.report('bad-extension', `${RECONCILE_EXTENSION}.items: ${e.items} is not an RFC 9535 JSONPath: ${(err as Error).message}`, [
        ...at,
        'items',
      ]);
      ok = false;
    }
  }
  const settleMs = e.settle === undefined ? DEFAULT_SETTLE_MS : parseDuration(e.settle);
  if (settleMs === undefined) {
    hooks.report('bad-extension', `${RECONCILE_EXTENSION}.settle: cannot read "${String(e.settle)}" as a duration (e.g. 10s)`, [
      ...at,
      'settle',
    ]);
    ok = false;
  }
  if (step.requestBody && step.requestBody.contentType && !/json/i.test(step.requestBody.contentType)) {
    hooks.report(
      'bad-extension',
      `${RECONCILE_EXTENSION} needs a JSON request body to carry the marker (this step sends ${step.requestBody.contentType})`,
      at,
    );
    ok = false;
  }
  return { marker, match, settleMs, ok };
}

/** Compile a step's x-temporal-reconcile (undefined when absent or wrong; problems are reported). */
export function compileReconcile(step: ArazzoStep, path: (string | number)[], hooks: ReconcileHooks): PlanReconcile | undefined {
  const ext = (step as unknown as Record<string, unknown>)[RECONCILE_EXTENSION];
  if (ext === undefined) return undefined;
  const at = [...path, RECONCILE_EXTENSION];
  const usage = `${RECONCILE_EXTENSION} must be an object {marker: <JSON Pointer into the request body>, lookup: {operationId, parameters}, items: <JSONPath>, match?: <JSON Pointer>}`;
  if (typeof ext !== 'object' || ext === null || Array.isArray(ext)) return void hooks.report('bad-extension', usage, at);
  const e = ext as ReconcileExtension;
  const { marker, match, settleMs, ok } = checkedFields(step, e, at, hooks);
  if (!e.lookup || typeof e.lookup !== 'object') {
    hooks.report(
      'bad-extension',
      `${RECONCILE_EXTENSION}.lookup must name the operation that lists what the step creates (operationId or operationPath, parameters)`,
      [...at, 'lookup'],
    );
    return undefined;
  }
  const pseudo: ArazzoStep = {
    stepId: `${step.stepId}.reconcile`,
    operationId: e.lookup.operationId,
    operationPath: e.lookup.operationPath,
    parameters: e.lookup.parameters,
  };
  const lookup = hooks.operationStep(pseudo, [...at, 'lookup']);
  if (!lookup || !ok) return undefined;
  if (!['GET', 'HEAD'].includes(lookup.operation.method)) {
    hooks.report(
      'bad-extension',
      `${RECONCILE_EXTENSION}.lookup must be a GET operation (${lookup.operation.operationId ?? lookup.operation.path} is ${lookup.operation.method})`,
      [...at, 'lookup'],
    );
    return undefined;
  }
  return { marker, match, items: e.items as string, settleMs: settleMs ?? DEFAULT_SETTLE_MS, lookup: { stepId: pseudo.stepId, ...lookup } };
}

/** The request body with the marker written at `pointer`, creating the objects on the way (an object body only). */
export function withMarker(body: unknown, pointer: string, marker: string): unknown {
  const tokens = parsePointer(pointer);
  const root: Record<string, unknown> = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  let doc: unknown = root;
  // create missing parents ({} objects), then write the leaf
  for (let i = 1; i < tokens.length; i++) {
    const parent =
      '/' +
      tokens
        .slice(0, i)
        .map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/');
    if (getPointer(doc, parent) === undefined) doc = setPointer(doc, parent, {});
  }
  return setPointer(doc, pointer, marker);
}

/** The candidate of a lookup response that carries `marker`, or undefined. */
export function findReconciled(body: unknown, reconcile: Pick<PlanReconcile, 'items' | 'match'>, marker: string): unknown {
  if (body === undefined || body === null || typeof body !== 'object') return undefined;
  return query(body as JsonValue, reconcile.items).find((item) => getPointer(item, reconcile.match) === marker);
}
