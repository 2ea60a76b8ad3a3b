// The Arazzo 1.1 document schema: the 1.0 schema (schemas/arazzo-1.0.schema.json, which already takes the 1.1
// fields the engine runs in 1.0.x documents) with what the OAI 1.1 schema (src/schemas/validation/schema.yaml of
// OAI/Arazzo-Specification, v1.1-dev) adds or tightens: `arazzo: 1.1.x`, `$self`, `type: asyncapi` sources and the
// AsyncAPI step fields (`action` required with `channelPath`, `correlationId` only on a receive step, neither on a
// step that runs a workflow or names an operationPath), `in: querystring`, step `dependsOn` entries of the three
// forms (stepId, $workflows.<id>.steps.<id>, $sourceDescriptions.<name>.<id>.steps.<id>), action `parameters`
// only with a `workflowId`. Deliberately not taken (see README, Validation): a parameter value may still be an
// object (the 1.1 text says "Any"), a correlationId is a string, number or boolean (an object cannot be matched).
// The Selector Object (step and workflow outputs, parameter values, payload replacement values; an object with
// `context` and `selector` is one there) with its type a name or an Expression Type Object (jsonpath, xpath,
// jsonpointer with their versions); the compiler evaluates them (src/core/compile/selectors.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The Arazzo 1.0 schema, read at run time (not imported): schemas/ lies outside src/, which is all the build compiles. */
export const arazzoSchema: Obj = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'arazzo-1.0.schema.json'), 'utf8'));

/** `arazzo: 1.1.x`: the patch version is not considered (Arazzo 1.1.0, Versions). */
export const isArazzo11 = (doc: unknown): boolean =>
  typeof (doc as Obj | null)?.arazzo === 'string' && /^1\.1\.\d+(-.+)?$/.test((doc as Obj).arazzo);

/** The three forms of a step dependsOn entry (OAI 1.1 schema, step-object-base). */
export const STEP_DEPENDS_ON_PATTERN =
  '^(?:(?!\\$).+|\\$workflows\\.[^.]+\\.steps\\.[^.]+|\\$sourceDescriptions\\.[^.]+\\.[^.]+\\.steps\\.[^.]+)$';

function asyncStepRules(step: Obj): void {
  step.properties.action = { description: 'Arazzo 1.1: an AsyncAPI step sends or receives', enum: ['send', 'receive'] };
  step.properties.channelPath = { description: 'Arazzo 1.1: {$sourceDescriptions.<name>.url}#/channels/<channel>', type: 'string' };
  step.properties.correlationId = {
    description: 'Arazzo 1.1: the correlation id a received message must carry',
    type: ['string', 'number', 'boolean'],
  };
  step.oneOf = [...step.oneOf, { required: ['channelPath'] }];
  step['x-oneOf-message'] = 'a step needs exactly one of operationId, operationPath, channelPath or workflowId';
  step.allOf.push(
    { if: { required: ['channelPath'] }, then: { required: ['action'] } },
    { if: { required: ['correlationId'] }, then: { required: ['action'], properties: { action: { const: 'receive' } } } },
    {
      not: { anyOf: [{ required: ['action', 'workflowId'] }, { required: ['action', 'operationPath'] }] },
      'x-not-message': '"action" (send or receive) belongs to an AsyncAPI step: one with an operationId or a channelPath',
    },
  );
}

/** Arazzo 1.1 Selector Object and Expression Type Object (OAI 1.1 schema: selector-object, selector-type). */
function selectorRules(s: Obj): void {
  s.$defs.selectorType = {
    if: { type: 'string' },
    then: { enum: ['jsonpath', 'xpath', 'jsonpointer'] },
    else: { $ref: '#/$defs/expressionType' },
  };
  const expressionType = structuredClone(s.$defs.criterionExpressionType);
  expressionType.properties.type.enum = ['jsonpath', 'xpath', 'jsonpointer'];
  expressionType.allOf.push({
    if: { required: ['type'], properties: { type: { const: 'jsonpointer' } } },
    then: { properties: { version: { enum: ['rfc6901'] } } },
  });
  s.$defs.expressionType = expressionType;
  s.$defs.selector = {
    type: 'object',
    properties: { context: { type: 'string' }, selector: { type: 'string' }, type: { $ref: '#/$defs/selectorType' } },
    required: ['context', 'selector', 'type'],
    $ref: '#/$defs/extensions',
    unevaluatedProperties: false,
  };
  // a value with `context` and `selector` is a Selector Object; any other value is taken as written
  const valueOrSelector = { if: { type: 'object', required: ['context', 'selector'] }, then: { $ref: '#/$defs/selector' } };
  const outputs = s.$defs.outputs.patternProperties;
  for (const name of Object.keys(outputs)) outputs[name] = { if: { type: 'string' }, else: { $ref: '#/$defs/selector' } };
  s.$defs.parameter.properties.value = valueOrSelector;
  s.$defs.reusable.properties.value = valueOrSelector;
  s.$defs.payloadReplacement.properties.value = valueOrSelector;
  s.$defs.payloadReplacement.properties.targetSelectorType = { $ref: '#/$defs/selectorType' };
}

export function arazzo11Schema(): Obj {
  const s: Obj = structuredClone(arazzoSchema);
  s.$comment = `Arazzo 1.1 as run by arazzo-temporal (src/load/schema-1.1.ts): ${s.$comment}`;
  s.properties.arazzo.pattern = '^1\\.1\\.\\d+(-.+)?$';
  s.properties.$self = {
    description: 'Arazzo 1.1: the URI of this document, its base URI',
    type: 'string',
    format: 'uri-reference',
    pattern: '^[^#]*$',
    'x-pattern-message': 'must not contain a fragment (#)',
  };
  s.$defs.sourceDescription.properties.type.enum = ['arazzo', 'openapi', 'asyncapi'];
  s.$defs.parameter.properties.in.enum = ['path', 'query', 'querystring', 'header', 'cookie'];
  const step = s.$defs.step;
  asyncStepRules(step);
  step.properties.dependsOn = {
    description: 'Arazzo 1.1: steps that must have completed before this one runs',
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: {
      type: 'string',
      pattern: STEP_DEPENDS_ON_PATTERN,
      'x-pattern-message':
        'must be a stepId of this workflow, $workflows.<workflowId>.steps.<stepId> or $sourceDescriptions.<name>.<workflowId>.steps.<stepId>',
    },
  };
  selectorRules(s);
  for (const action of [s.$defs.successAction, s.$defs.failureAction])
    action.allOf.push({ if: { required: ['parameters'] }, then: { required: ['workflowId'] } });
  return s;
}
