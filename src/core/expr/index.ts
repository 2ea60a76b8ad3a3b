// The expression language of Arazzo documents: runtime expressions, `{$…}` templates, conditions and criteria.
// One parser (expression-reader, condition-tokenizer, condition-parser) into plain-JSON trees (ast), evaluated
// without parsing again (evaluate-expression, evaluate-condition, template, the criterion-* dialects).
export * from './ast';
export * from './errors';
export { readExpression, parseExpression, isExpression, type ReadMode, type ReadResult } from './expression-reader';
export { memberOf, evaluateExpression } from './evaluate-expression';
export { parseCondition } from './condition-parser';
export type { ParseConditionOptions } from './condition-tokenizer';
export { evaluateCondition, type ConditionResult, type EvaluateConditionOptions } from './evaluate-condition';
export * from './template';
export { compileCriterion, evaluateCriterion, kindOf, GOESSNER_VERSION } from './criteria';
export { checkCriterion } from './check-criterion';
export type { CriterionCheck, CriterionResult } from './criterion-context';
export { MAX_REGEX_SUBJECT } from './criterion-regex';
export { unsafeRegexReason } from './regex-safety';
export { goessnerCodeReason } from './criterion-goessner';
export * from './plan-expressions';
export { expressionsIn, namePrefixes } from './references';
export * from './selector';
