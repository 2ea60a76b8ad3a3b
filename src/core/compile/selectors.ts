// Arazzo 1.1 Selector Objects in a document: step and workflow outputs, parameter values (steps, workflows,
// components, actions), payload replacement values, and objects of a request body payload written as one
// ({context, selector, type}). Each becomes a plan selector (src/core/expr/selector.ts), checked before the run;
// the rest of the compiler passes it on as a value. A 1.0.x document has none: its outputs are strings (the
// schema says so) and its parameter values are taken as written, with a warning when one looks like a selector.
// XPath selectors are evaluated where an XPath engine is: in the step activity, and for those the workflow
// evaluates, by the selectXPath local activity (src/workflows/xpath-selections.ts). A payload replacement's target
// may be a JSON Pointer (the default), a JSONPath whose every match is replaced, or an XPath into an XML text payload.
import {
  SelectorError,
  isSelectorObject,
  isSelectorValue,
  selectorType,
  selectorTypeName,
  targetPointers,
  toPlanSelector,
} from '../expr/selector';
import type { ArazzoDocument } from '../types';
import type { Compiler } from './compiler';

type Obj = Record<string, unknown>;
type Path = (string | number)[];
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export const isArazzo11Document = (doc: ArazzoDocument): boolean => typeof doc?.arazzo === 'string' && /^1\.1\./.test(doc.arazzo);

interface Site {
  c: Compiler;
  v11: boolean;
  where: { workflowId?: string; stepId?: string };
}

/** `holder[key]` as a plan selector when it is a Selector Object (a 1.1 document), reported when it cannot be one. */
function convert(site: Site, holder: Obj, key: string | number, path: Path, strict: boolean): void {
  const value = holder[key];
  if (!isSelectorObject(value) || (!strict && value.type === undefined)) return;
  if (!site.v11) {
    site.c.report(
      'warning',
      'selector-in-1-0',
      'this value has the shape of a Selector Object, an Arazzo 1.1 feature: in an arazzo 1.0.x document it is an object value like any other, its strings evaluated as runtime expressions (write arazzo: 1.1.0 to have it evaluated as a selector)',
      [...path, key],
      site.where,
    );
    return;
  }
  try {
    holder[key] = toPlanSelector(value);
  } catch (e) {
    site.c.report('error', 'bad-selector', (e as Error).message, [...path, key], site.where);
  }
}

function parameters(site: Site, params: unknown, path: Path): void {
  list(params).forEach((p, i) => convert(site, p, 'value', [...path, i], true));
}

function actions(site: Site, items: unknown, path: Path): void {
  list(items).forEach((a, i) => parameters(site, a.parameters, [...path, i, 'parameters']));
}

function outputs(site: Site, outs: unknown, path: Path): void {
  if (isObj(outs)) for (const name of Object.keys(outs)) convert(site, outs, name, path, true);
}

/** Objects of a payload written as Selector Objects (all three fields: a literal object may well have a `context`). */
function payload(site: Site, holder: Obj, key: string, path: Path): void {
  const value = holder[key];
  if (isSelectorObject(value)) return convert(site, holder, key, path, false);
  if (Array.isArray(value)) value.forEach((_, i) => payload(site, value as unknown as Obj, String(i), [...path, key]));
  else if (isObj(value)) for (const k of Object.keys(value)) payload(site, value, k, [...path, key]);
}

function step(site: Site, s: Obj, path: Path): void {
  parameters(site, s.parameters, [...path, 'parameters']);
  actions(site, s.onSuccess, [...path, 'onSuccess']);
  actions(site, s.onFailure, [...path, 'onFailure']);
  outputs(site, s.outputs, [...path, 'outputs']);
  const body = s.requestBody;
  if (!isObj(body)) return;
  list(body.replacements).forEach((r, i) => {
    const at = [...path, 'requestBody', 'replacements', i];
    convert(site, r, 'value', at, true);
    if (r.targetSelectorType !== undefined) targetType(site, r, [...at, 'targetSelectorType'], body.payload);
  });
  payload(site, body, 'payload', [...path, 'requestBody']);
}

/**
 * A replacement's targetSelectorType: jsonpointer, jsonpath or xpath (an XML text payload), the target's syntax
 * checked where an XPath engine is installed (the client).
 */
function targetType(site: Site, r: Obj, at: Path, payload: unknown): void {
  const t = selectorTypeName(r.targetSelectorType);
  if (t === 'xpath' && payload !== undefined && typeof payload !== 'string') {
    site.c.report('error', 'bad-selector', 'an xpath replacement target needs an XML text payload (a string)', at, site.where);
    return;
  }
  try {
    selectorType(r.targetSelectorType, String(r.target));
    if (t === 'jsonpath') targetPointers(String(r.target), r.targetSelectorType, {});
    if (t === 'xpath') toPlanSelector({ context: '$request.body', selector: String(r.target), type: r.targetSelectorType });
  } catch (e) {
    // an empty payload selects nothing: only a bad type, version or syntax is reported here
    if (e instanceof SelectorError && /selects nothing/.test(e.message)) return;
    site.c.report('error', 'bad-selector', (e as Error).message, at, site.where);
  }
}

/**
 * A copy of the document with its Selector Objects as plan selectors (1.1), or as it is (1.0.x: warnings only).
 * Problems are reported on the compiler, at the field.
 */
export function withSelectors(c: Compiler, doc: ArazzoDocument): ArazzoDocument {
  if (!isObj(doc)) return doc;
  const copy = structuredClone(doc) as unknown as Obj;
  const v11 = isArazzo11Document(doc);
  list(copy.workflows).forEach((wf, w) => {
    const site: Site = { c, v11, where: { workflowId: wf.workflowId as string } };
    const at: Path = ['workflows', w];
    parameters(site, wf.parameters, [...at, 'parameters']);
    actions(site, wf.successActions, [...at, 'successActions']);
    actions(site, wf.failureActions, [...at, 'failureActions']);
    outputs(site, wf.outputs, [...at, 'outputs']);
    list(wf.steps).forEach((s, i) => step({ ...site, where: { ...site.where, stepId: s.stepId as string } }, s, [...at, 'steps', i]));
  });
  const components = isObj(copy.components) ? copy.components : {};
  const site: Site = { c, v11, where: {} };
  if (isObj(components.parameters))
    for (const [name, p] of Object.entries(components.parameters))
      if (isObj(p)) convert(site, p, 'value', ['components', 'parameters', name], true);
  for (const kind of ['successActions', 'failureActions'])
    if (isObj(components[kind]))
      for (const [name, a] of Object.entries(components[kind] as Obj))
        if (isObj(a)) parameters(site, a.parameters, ['components', kind, name, 'parameters']);
  return copy as unknown as ArazzoDocument;
}
