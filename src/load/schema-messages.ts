// The words of a JSON Schema finding: what a person calls the object (workflow "x", step "y"), the field, the
// expected shape, and one message per ajv keyword.
import type { ErrorObject } from 'ajv/dist/2020';
import { editDistance } from '../core/suggest';
import type { PathSegment } from './parse-document';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ACTION_LISTS = new Set(['onSuccess', 'onFailure', 'successActions', 'failureActions']);

export function valueAt(root: unknown, path: PathSegment[]): unknown {
  return path.reduce<unknown>((v, k) => (Array.isArray(v) || isObj(v) ? (v as Record<string | number, unknown>)[k] : undefined), root);
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** How a person would name the object at `path`: workflow "x", step "y", onSuccess action "z", … */
export function describeObject(root: unknown, path: PathSegment[]): string {
  if (path.length === 0) return 'the document';
  const value = valueAt(root, path);
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  const named = (kind: string, name: unknown, fallback: string) => (typeof name === 'string' ? `${kind} "${name}"` : fallback);
  if (typeof last === 'number') {
    const obj = isObj(value) ? value : {};
    switch (parent) {
      case 'workflows':
        return named('workflow', obj.workflowId, `workflows[${last}]`);
      case 'steps':
        return named('step', obj.stepId, `steps[${last}]`);
      case 'sourceDescriptions':
        return named('source description', obj.name, `sourceDescriptions[${last}]`);
      case 'parameters':
        return named('parameter', obj.name ?? obj.reference, `parameters[${last}]`);
      default:
        if (ACTION_LISTS.has(String(parent)))
          return named(`${String(parent)} action`, obj.name ?? obj.reference, `${String(parent)}[${last}]`);
        return `${String(parent)}[${last}]`;
    }
  }
  if (path[0] === 'components' && path.length === 3) return `components.${String(path[1])}.${last}`;
  return `"${last}"`;
}

/** "x" of step "y" — the field at `path` and the object that has it. */
export function subject(root: unknown, path: PathSegment[]): string {
  if (path.length === 0) return 'the document';
  const last = path[path.length - 1];
  if (typeof last === 'number' || (path[0] === 'components' && path.length === 3)) return describeObject(root, path);
  const owner = path.length === 1 ? '' : ` of ${describeObject(root, path.slice(0, -1))}`;
  return `"${last}"${owner}`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping (object)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  null: 'null',
};

function shown(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function suggestion(field: string, schema: unknown): string {
  const known = isObj(schema) && isObj(schema.properties) ? Object.keys(schema.properties) : [];
  const best = known.map((k) => ({ k, d: editDistance(field, k) })).sort((a, b) => a.d - b.d)[0];
  if (best && best.d <= Math.max(1, Math.floor(best.k.length / 3))) return ` (did you mean "${best.k}"?)`;
  return known.length ? ` (allowed: ${known.join(', ')}, or x- extensions)` : '';
}

export interface SchemaMessage {
  message: string;
  code?: string;
  at?: PathSegment[];
  key?: boolean;
}

/** What a message of one keyword is made from. */
interface Finding {
  e: ErrorObject;
  /** ajv's params of the keyword */
  p: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  doc: unknown;
  path: PathSegment[];
  parentSchema: Obj | undefined;
  /** the field and its owner, as subject() words it */
  subj: string;
}

function unknownField({ p, doc, path, parentSchema }: Finding): SchemaMessage {
  const field = String(p.unevaluatedProperty ?? p.additionalProperty);
  return {
    code: 'unknown-field',
    message: `unknown field "${field}" in ${describeObject(doc, path)}${suggestion(field, parentSchema)}`,
    at: [...path, field],
    key: true,
  };
}

function missingField({ p, doc, path, parentSchema }: Finding): SchemaMessage {
  const field = String(p.missingProperty);
  const prop = isObj(parentSchema?.properties) ? (parentSchema.properties as Obj)[field] : undefined;
  const list = isObj(prop) && prop.type === 'array' && Number(prop.minItems) >= 1;
  const owner = describeObject(doc, path);
  return { message: list ? `${owner} needs a non-empty "${field}" list` : `${owner} is missing the required field "${field}"` };
}

function wrongType({ e, p, subj }: Finding): SchemaMessage {
  const wanted = String(p.type)
    .split(',')
    .map((t) => EXPECTED[t] ?? t)
    .join(' or ');
  return {
    message: `${subj} must be ${wanted}, not ${typeName(e.data)}${e.data !== null && typeof e.data !== 'object' ? ` (${shown(e.data)})` : ''}`,
  };
}

function combinator({ e, p, doc, path, parentSchema }: Finding): SchemaMessage {
  const custom = str(parentSchema?.[`x-${e.keyword}-message`]);
  const owner = describeObject(doc, path);
  if (!custom) return { message: `${owner} ${e.message}` };
  const both = e.keyword === 'oneOf' && Array.isArray(p.passingSchemas) ? ' (it has more than one)' : '';
  return { message: `${owner}: ${custom}${both}` };
}

const MESSAGES: Record<string, (f: Finding) => SchemaMessage> = {
  unevaluatedProperties: unknownField,
  additionalProperties: unknownField,
  required: missingField,
  type: wrongType,
  enum: ({ e, p, subj }) => ({
    message: `${subj} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${shown(e.data)}`,
  }),
  const: ({ e, p, subj }) => ({ message: `${subj} must be ${JSON.stringify(p.allowedValue)}, not ${shown(e.data)}` }),
  pattern: ({ e, p, subj, parentSchema }) => {
    const custom = str(parentSchema?.['x-pattern-message']);
    return { message: custom ? `${subj} ${shown(e.data)} ${custom}` : `${subj} ${shown(e.data)} does not match ${String(p.pattern)}` };
  },
  format: ({ e, p, subj }) => ({ message: `${subj} ${shown(e.data)} is not a valid ${String(p.format)}` }),
  minItems: ({ p, subj }) => ({
    message: Number(p.limit) === 1 ? `${subj} must not be an empty list` : `${subj} needs at least ${p.limit} entries`,
  }),
  minimum: ({ e, p, subj }) => ({ message: `${subj} must be ${String(p.comparison)} ${String(p.limit)}, not ${shown(e.data)}` }),
  exclusiveMinimum: ({ e, p, subj }) => ({ message: `${subj} must be ${String(p.comparison)} ${String(p.limit)}, not ${shown(e.data)}` }),
  uniqueItems: ({ p, subj, path }) => ({
    message: `${subj} has identical entries (${Number(p.j) + 1} and ${Number(p.i) + 1}); entries must be unique`,
    at: [...path, Number(p.i)],
  }),
  dependentRequired: ({ p, doc, path }) => ({
    message: `${describeObject(doc, path)} has "${String(p.property)}" but no "${String(p.missingProperty)}": a criterion with a type needs a context (e.g. $response.body)`,
    at: [...path, String(p.property)],
    key: true,
  }),
  propertyNames: ({ p, subj, path }) => ({
    message: `${subj}: the name "${String(p.propertyName)}" is not allowed (names match ^[a-zA-Z0-9.\\-_]+$)`,
    at: [...path, String(p.propertyName)],
    key: true,
  }),
  oneOf: combinator,
  anyOf: combinator,
  not: combinator,
};

/** The message of one ajv finding, worded for a person. */
export function describeMessage(
  e: ErrorObject,
  doc: unknown,
  path: PathSegment[],
  parentSchema: Obj | undefined,
  subj: string,
): SchemaMessage {
  const finding: Finding = { e, p: e.params as Finding['p'], doc, path, parentSchema, subj };
  const make = Object.hasOwn(MESSAGES, e.keyword) ? MESSAGES[e.keyword] : undefined;
  return make ? make(finding) : { message: `${subj} ${e.message}` };
}
