// Run inputs against the workflow's `inputs` JSON Schema (2020-12), with ajv. Secret references stand
// in for strings: their values live in the worker's environment and are never seen here.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { isSecretRef } from '../core/types';
import { closest, didYouMean } from '../core/suggest';
import type { Diagnostic, Locate, Plan, SourcePos } from '../core/types';
import type { PlanSites } from '../core/compile/types';

// made on first use (with ajv-formats they cost ~50 ms): `validate` of a document without inputs needs neither
let ajvs: { check: Ajv2020; withDefaults: Ajv2020 } | undefined;
function instances(): { check: Ajv2020; withDefaults: Ajv2020 } {
  if (ajvs) return ajvs;
  const check = new Ajv2020({ allErrors: true, strict: false });
  addFormats(check);
  /** Fills in the schema's `default`s (in `properties` and `items`, at any depth where the parent is present). */
  const withDefaults = new Ajv2020({ allErrors: true, strict: false, useDefaults: true });
  addFormats(withDefaults);
  return (ajvs = { check, withDefaults });
}

/** Keywords that judge a string's content, which a reference cannot show: not checked for secrets. */
const CONTENT_KEYWORDS = new Set(['pattern', 'minLength', 'maxLength', 'format', 'enum', 'const']);

function secretPaths(value: unknown, path = '', into: Set<string> = new Set()): Set<string> {
  if (isSecretRef(value)) into.add(path);
  else if (Array.isArray(value)) value.forEach((v, i) => secretPaths(v, `${path}/${i}`, into));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) secretPaths(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, into);
  return into;
}

function withSecretsAsStrings(value: unknown): unknown {
  if (isSecretRef(value)) return '********';
  if (Array.isArray(value)) return value.map(withSecretsAsStrings);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecretsAsStrings(v)]));
  return value;
}

/** The place in the workflow's `inputs` schema that an input error is about (its property, or the `required` entry). */
function schemaPath(
  plan: Plan,
  workflow: (string | number)[] | undefined,
  instancePath: string,
  missing?: string,
): (string | number)[] | undefined {
  if (!workflow) return undefined;
  const path: (string | number)[] = [...workflow, 'inputs'];
  for (const raw of instancePath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) path.push('items');
    else path.push('properties', key);
  }
  if (missing !== undefined) {
    let node: unknown = plan.inputsSchema;
    for (const k of path.slice(workflow.length + 1))
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
    const required = (node as { required?: unknown } | undefined)?.required;
    const index = Array.isArray(required) ? required.indexOf(missing) : -1;
    path.push('required', ...(index >= 0 ? [index] : []));
  }
  return path;
}

/** `workflowPath`: where the workflow sits in its document (['workflows', i]), for positions in its inputs schema. */
export function validateInputs(
  plan: Plan,
  inputs: Record<string, unknown>,
  locate?: Locate,
  workflowPath?: (string | number)[],
): Diagnostic[] {
  const schema = plan.inputsSchema;
  if (!schema) return [];
  const where = { workflowId: plan.workflowId, pos: { file: plan.document.file } as SourcePos };
  let validate;
  try {
    validate = instances().check.compile(schema);
  } catch (err) {
    return [
      {
        severity: 'error',
        code: 'inputs-schema',
        message: `the workflow's inputs schema is not valid JSON Schema: ${(err as Error).message}`,
        ...where,
      },
    ];
  }
  if (validate(withSecretsAsStrings(inputs))) return [];
  const secrets = secretPaths(inputs);
  const errors = (validate.errors ?? []).filter((e) => !(secrets.has(e.instancePath) && CONTENT_KEYWORDS.has(e.keyword)));
  return errors.map((e) => {
    const at = e.instancePath ? `input ${e.instancePath.slice(1).replace(/\//g, '.')}` : 'inputs';
    const missing = e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : undefined;
    const given = missing !== undefined && !e.instancePath ? closest(missing, Object.keys(inputs)) : undefined;
    const extra = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : undefined;
    const declared = extra !== undefined && !e.instancePath ? Object.keys((schema as { properties?: object }).properties ?? {}) : [];
    const detail =
      missing !== undefined
        ? `missing required input "${missing}"${given ? ` ("${given}" was given: did you mean "${missing}"?)` : ''}`
        : `${at} ${e.message}${extra !== undefined ? ` "${extra}"${didYouMean(extra, declared)}` : ''}`;
    const path = locate && schemaPath(plan, workflowPath, e.instancePath, missing);
    return { severity: 'error', code: 'bad-input', message: detail, ...where, ...(path && locate ? { pos: locate(path) } : {}) };
  });
}

/**
 * The inputs with the JSON Schema `default`s of the workflow's inputs schema applied: a copy, nested defaults
 * included (where the object that holds them is given or has a default itself). Given values are never replaced.
 */
export function applyInputDefaults(plan: Plan, inputs: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(inputs ?? {});
  if (!plan.inputsSchema) return copy;
  try {
    instances().withDefaults.compile(plan.inputsSchema)(copy);
  } catch {
    /* an invalid schema is reported by validateInputs */
  }
  return copy;
}

/**
 * Required parameters (the OpenAPI operation says so) whose value is an input that is absent and has no default:
 * known before the run, so reported then, at the step, naming the parameter and the input.
 */
export function requiredParameterProblems(plan: Plan, inputs: Record<string, unknown>, sites?: PlanSites): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'operation') continue;
    for (const p of step.parameters ?? []) {
      const m = typeof p.value === 'string' ? /^\{?\$inputs\.([A-Za-z0-9_-]+)\}?$/.exec(p.value) : null;
      if (!p.required || !m || inputs[m[1]] !== undefined) continue;
      out.push({
        severity: 'error',
        code: 'missing-parameter-value',
        message: `required ${p.in} parameter "${p.name}" is "${p.value}", and input "${m[1]}" is not given and has no default`,
        workflowId: plan.workflowId,
        stepId: step.stepId,
        pos: sites?.steps[step.stepId]?.pos ?? { file: plan.document.file },
      });
    }
  }
  return out;
}
