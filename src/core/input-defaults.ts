// JSON Schema `default`s filled into a run's inputs, as Ajv's useDefaults does for the root run on the worker
// (src/load/inputs.ts): a property that is absent gets its schema's default, at any depth where its parent object is
// present; array items likewise; `allOf` parts apply too. Pure and deterministic: the interpreter applies it to the
// inputs of a child run (a sub-workflow, possibly from another Arazzo document) in the workflow sandbox.
import type { JsonSchema } from './types';

// the workflow sandbox has no structuredClone; inputs and defaults are JSON
const jsonCopy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fill(schema: unknown, value: unknown): void {
  if (!isObject(schema)) return;
  for (const part of Array.isArray(schema.allOf) ? schema.allOf : []) fill(part, value);
  if (isObject(value) && isObject(schema.properties)) {
    for (const [name, sub] of Object.entries(schema.properties)) {
      if (value[name] === undefined && isObject(sub) && sub.default !== undefined) value[name] = jsonCopy(sub.default);
      if (value[name] !== undefined) fill(sub, value[name]);
    }
  }
  if (Array.isArray(value) && isObject(schema.items)) for (const item of value) fill(schema.items, item);
}

/** A copy of `inputs` with the defaults of `schema` filled in where a value is absent. */
export function withSchemaDefaults(schema: JsonSchema | undefined, inputs: Record<string, unknown>): Record<string, unknown> {
  const copy = jsonCopy(inputs ?? {});
  fill(schema, copy);
  return copy;
}
