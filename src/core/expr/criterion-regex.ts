// Regex criteria run on RE2 (re2js, pure JavaScript, so also in the workflow sandbox): matching takes time linear
// in the subject whatever the pattern, so `(a+)+$` cannot stall a worker. The pattern is written in JavaScript
// syntax and translated; what RE2 cannot do (backreferences, lookaround) is refused with the reason.
import { RE2JS } from 're2js';
import { LIMITS } from '../limits';
import type { Criterion, ExpressionContext } from '../types';
import type { CriterionAst } from './ast';
import { tooLong } from './condition-limits';
import { contextValue, emptyContext, type CriterionResult } from './criterion-context';
import { CriterionError } from './errors';
import { backtrackingFeature } from './regex-safety';
import { templateText, toText } from './template';

/** Longest text a regex criterion is applied to; longer subjects fail the criterion. */
export const MAX_REGEX_SUBJECT = LIMITS.regexSubject;

export function compileRegex(condition: string, pattern: string): RE2JS {
  tooLong(pattern);
  const feature = backtrackingFeature(pattern);
  if (feature)
    throw new CriterionError(
      condition,
      `${feature} is not supported: regex criteria run on RE2, in linear time, which has no backtracking`,
    );
  try {
    return RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch (e) {
    throw new CriterionError(condition, `invalid regular expression: ${(e as Error).message}`);
  }
}

export function evaluateRegex(c: Criterion, ast: Extract<CriterionAst, { type: 'regex' }>, ctx: ExpressionContext): CriterionResult {
  const re = compileRegex(c.condition, ast.template ? templateText(ast.template, ctx) : c.condition);
  const value = contextValue(c, ast.context, ctx);
  if (value === undefined || value === null) return emptyContext(c, 'regex');
  const subject = toText(value);
  if (subject.length > MAX_REGEX_SUBJECT) {
    return {
      passed: false,
      mode: 'regex',
      detail: `context is ${subject.length} characters, over the ${MAX_REGEX_SUBJECT} limit for regex criteria`,
    };
  }
  return { passed: re.matcher(subject).find(), mode: 'regex' };
}
