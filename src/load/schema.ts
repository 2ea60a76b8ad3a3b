// The document against the Arazzo 1.0 JSON Schema (schemas/arazzo-1.0.schema.json), with ajv. Every
// ajv error becomes a Diagnostic a person can act on: file:line:column of the offending node (the key,
// for unknown fields), the workflow and step it sits in, and a sentence instead of ajv's wording;
// alternatives (oneOf/anyOf) are reported once, not once per branch. Lenient forms the engine runs
// (retry under onSuccess) are left to the compiler, which warns about them.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arazzo11Schema, arazzoSchema, isArazzo11 } from './schema-1.1';
import type { Diagnostic, SourcePos } from '../core/types';
import { formatPath, type PathSegment } from './parse-document';
import { describeMessage, isObj, str, subject, valueAt, type Obj } from './schema-messages';

export { describeObject } from './schema-messages';

export interface Locator {
  locate(path: PathSegment[]): SourcePos;
  locateKey?(path: PathSegment[]): SourcePos;
}

const validators: Partial<Record<'1.0' | '1.1', ValidateFunction>> = {};
const schemaOf = (version: '1.0' | '1.1') => (version === '1.1' ? arazzo11Schema() : arazzoSchema);

function newAjv(source = false): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true, ...(source && { code: { source: true } }) });
  addFormats(ajv);
  return ajv;
}

/** Where `npm run build` writes the validator's code (compiling the schema with ajv costs ~300 ms at every start). */
const standalonePath = (version: '1.0' | '1.1') => join(__dirname, `arazzo-${version}.validator.js`);
const schemaHash = (schema: unknown) => createHash('sha256').update(JSON.stringify(schema)).digest('hex');

/** The prebuilt validator when it was generated from this very schema, else undefined. */
function prebuilt(version: '1.0' | '1.1', schema: unknown): ValidateFunction | undefined {
  const path = standalonePath(version);
  if (!existsSync(path)) return undefined;
  const mod = require(path) as { schemaHash?: string; validate?: ValidateFunction };
  return mod.schemaHash === schemaHash(schema) ? mod.validate : undefined;
}

function compiled(version: '1.0' | '1.1'): ValidateFunction {
  let validator = validators[version];
  if (!validator) {
    const schema = schemaOf(version);
    validator = validators[version] = prebuilt(version, schema) ?? newAjv().compile(schema);
  }
  return validator;
}

/** The build step: each version's validator as standalone code (ajv/dist/standalone), tagged with its schema's hash. */
export function writeStandaloneValidators(): string[] {
  return (['1.0', '1.1'] as const).map((version) => {
    const schema = schemaOf(version);
    const ajv = newAjv(true);
    const code = standaloneCode(ajv, ajv.compile(schema));
    const tag = `module.exports.validate = module.exports;\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(schema))};\n`;
    writeFileSync(standalonePath(version), `${code}\n${tag}`);
    return standalonePath(version);
  });
}

/** Lists whose entries carry ids: identical entries are reported by the semantic checks as duplicate ids. */
const ID_LISTS = new Set(['steps', 'workflows', 'sourceDescriptions']);

/** A JSON pointer (ajv's instancePath) as path segments, indices as numbers where the data has arrays. */
function segments(pointer: string, root: unknown): PathSegment[] {
  if (!pointer) return [];
  const out: PathSegment[] = [];
  let value: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      out.push(Number(key));
      value = value[Number(key)];
    } else {
      out.push(key);
      value = isObj(value) ? value[key] : undefined;
    }
  }
  return out;
}

/** Errors the engine tolerates on purpose: `retry` under onSuccess (the compiler warns: retry-on-success). */
function tolerated(e: ErrorObject, root: unknown, path: PathSegment[]): boolean {
  const inSuccessList = (p: PathSegment[]) => {
    const list = p[p.length - 2];
    return (
      (list === 'onSuccess' || list === 'successActions' || (p[0] === 'components' && p[1] === 'successActions' && p.length === 3)) &&
      isObj(valueAt(root, p)) &&
      (valueAt(root, p) as Obj).type === 'retry'
    );
  };
  if (e.keyword === 'enum' && path[path.length - 1] === 'type' && inSuccessList(path.slice(0, -1))) return true;
  if (
    e.keyword === 'unevaluatedProperties' &&
    ['retryAfter', 'retryLimit'].includes(String(e.params.unevaluatedProperty)) &&
    inSuccessList(path)
  )
    return true;
  return false;
}

const COMBINATORS = new Set(['oneOf', 'anyOf', 'not']);

/** Validate a parsed document; returns [] when it conforms. Never throws on malformed input. */
export function validateSchema(doc: unknown, file: string, where: Locator): Diagnostic[] {
  const validate = compiled(isArazzo11(doc) ? '1.1' : '1.0');
  if (validate(doc)) return [];
  let errors = [...(validate.errors ?? [])];

  // Alternatives: one message for the oneOf/anyOf/not, none for its branches.
  const combinators = errors.filter((e) => COMBINATORS.has(e.keyword));
  errors = errors.filter(
    (e) =>
      !combinators.some(
        (c) =>
          c !== e &&
          e.schemaPath.startsWith(c.schemaPath + '/') &&
          (e.instancePath === c.instancePath || e.instancePath.startsWith(c.instancePath + '/')),
      ),
  );
  // `if` failures only announce that a `then`/`else` failed, which has its own errors; propertyNames
  // sub-errors repeat the propertyNames error.
  errors = errors.filter((e) => e.keyword !== 'if' && !(e.propertyName !== undefined && e.keyword !== 'propertyNames'));
  // A value of the wrong type makes every other rule at that place noise; a generic oneOf/anyOf whose branches
  // went through $ref is explained by the errors left at the same place.
  const typeErrors = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  errors = errors.filter((e) => e.keyword === 'type' || !typeErrors.has(e.instancePath));
  errors = errors.filter(
    (e) =>
      !(
        COMBINATORS.has(e.keyword) &&
        !(e.parentSchema as Obj | undefined)?.[`x-${e.keyword}-message`] &&
        errors.some((o) => o !== e && !COMBINATORS.has(o.keyword) && o.instancePath === e.instancePath)
      ),
  );

  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = segments(e.instancePath, doc);
    if (tolerated(e, doc, path)) continue;
    if (e.keyword === 'uniqueItems' && ID_LISTS.has(String(path[path.length - 1]))) continue;
    const d = describe(e, doc, path, where);
    const key = `${d.pos?.line}:${d.pos?.column}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { at, ...diagnostic } = d;
    out.push({ ...diagnostic, pos: d.pos ?? { file }, ...context(doc, path), path: formatPath(at) || '(root)' });
  }
  return out.sort((a, b) => (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.column ?? 0) - (b.pos?.column ?? 0));
}

/** The workflow and step a path is inside. */
function context(doc: unknown, path: PathSegment[]): { workflowId?: string; stepId?: string } {
  if (path[0] !== 'workflows' || typeof path[1] !== 'number') return {};
  const wf = valueAt(doc, path.slice(0, 2));
  const out: { workflowId?: string; stepId?: string } = {};
  if (isObj(wf) && str(wf.workflowId)) out.workflowId = wf.workflowId as string;
  if (path[2] === 'steps' && typeof path[3] === 'number') {
    const step = valueAt(doc, path.slice(0, 4));
    if (isObj(step) && str(step.stepId)) out.stepId = step.stepId as string;
  }
  return out;
}

function describe(e: ErrorObject, doc: unknown, path: PathSegment[], where: Locator): Diagnostic & { at: PathSegment[] } {
  const m = describeMessage(e, doc, path, e.parentSchema as Obj | undefined, subject(doc, path));
  const at = m.at ?? path;
  const pos = m.key && where.locateKey ? where.locateKey(at) : where.locate(at);
  // values inside workflow inputs are judged by the JSON Schema 2020-12 meta-schema
  const inInputs =
    (path[0] === 'workflows' && path[2] === 'inputs') || (path[0] === 'components' && path[1] === 'inputs' && path.length > 2);
  return {
    severity: 'error',
    code: m.code ?? 'schema',
    message: inInputs ? `inputs schema is not valid JSON Schema 2020-12: ${m.message}` : m.message,
    pos,
    at,
  };
}
