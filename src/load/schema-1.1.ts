// The Arazzo 1.1 document schema as far as this engine runs 1.1: the 1.0 schema (schemas/arazzo-1.0.schema.json,
// which already takes the 1.1 fields the engine runs in 1.0.x documents) with `arazzo: 1.1.x`, `type: asyncapi`
// source descriptions, and the AsyncAPI step fields `action`, `channelPath` and `correlationId`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The Arazzo 1.0 schema, read at run time (not imported): schemas/ lies outside src/, which is all the build compiles. */
export const arazzoSchema: Obj = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'arazzo-1.0.schema.json'), 'utf8'));

/** `arazzo: 1.1.x`: the patch version is not considered (Arazzo 1.1.0, Versions). */
export const isArazzo11 = (doc: unknown): boolean =>
  typeof (doc as Obj | null)?.arazzo === 'string' && /^1\.1\.\d+(-.+)?$/.test((doc as Obj).arazzo);

export function arazzo11Schema(): Obj {
  const s: Obj = structuredClone(arazzoSchema);
  s.$comment = `Arazzo 1.1 as run by arazzo-temporal (src/load/schema-1.1.ts): ${s.$comment}`;
  s.properties.arazzo.pattern = '^1\\.1\\.\\d+(-.+)?$';
  s.$defs.sourceDescription.properties.type.enum = ['arazzo', 'openapi', 'asyncapi'];
  const step = s.$defs.step;
  step.properties.action = { description: 'Arazzo 1.1: an AsyncAPI step sends or receives', enum: ['send', 'receive'] };
  step.properties.channelPath = { description: 'Arazzo 1.1: {$sourceDescriptions.<name>.url}#/channels/<channel>', type: 'string' };
  step.properties.correlationId = { description: 'Arazzo 1.1: the correlation id a received message must carry', type: 'string' };
  step.oneOf = [...step.oneOf, { required: ['channelPath'] }];
  step['x-oneOf-message'] = 'a step needs exactly one of operationId, operationPath, channelPath or workflowId';
  return s;
}
