// Static check of a criterion, for validation: errors make it unusable, warnings flag non-standard forms.
import type { Criterion } from '../types';
import { xpathEngine } from '../xpath-engine';
import { tooLong } from './condition-limits';
import { GOESSNER_VERSION, kindOf, parseSimple } from './criteria';
import type { CriterionCheck } from './criterion-context';
import { goessnerCodeReason } from './criterion-goessner';
import { checkJsonPath } from './criterion-jsonpath';
import { compileRegex } from './criterion-regex';
import { CriterionError, ExpressionError } from './errors';
import { parseExpression } from './expression-reader';
import { findEmbeddedForms, withoutBraced } from './template';

function checkCondition(c: Criterion, check: CriterionCheck): void {
  tooLong(c.condition);
  const kind = kindOf(c);
  if (kind.type !== 'simple') {
    if (!c.context) check.errors.push(`a ${kind.type} criterion needs a context (e.g. $response.body)`);
    else contextProblem(c, check);
  }
  const text = withoutBraced(c.condition);
  switch (kind.type) {
    case 'simple':
      if (parseSimple(c.condition).features.includes('doubleQuotedString')) {
        check.warnings.push({
          code: 'double-quoted-string',
          message: `'${c.condition}' uses double quotes; Arazzo strings are single-quoted`,
        });
      }
      break;
    case 'regex':
      compileRegex(c.condition, text);
      break;
    case 'jsonpath': {
      const code = kind.dialect === 'goessner' ? goessnerCodeReason(text) : undefined;
      if (kind.dialect === 'rfc9535') checkJsonPath(c, text, check);
      else if (code) throw new CriterionError(c.condition, `JSONPath filters may not run code: ${code}`);
      else
        check.warnings.push({
          code: 'jsonpath-goessner',
          message: `'${c.condition}' uses ${GOESSNER_VERSION}: filter syntax is only checked at run time`,
        });
      break;
    }
    case 'xpath':
      try {
        xpathEngine().check(text);
      } catch (e) {
        throw new CriterionError(c.condition, (e as Error).message);
      }
      break;
  }
}

function contextProblem(c: Criterion, check: CriterionCheck): void {
  try {
    parseExpression(c.context!);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    check.errors.push(`context: ${e.message}`);
  }
}

// by what a check reads (the condition, the context, the type): the same criterion ($statusCode == 200, a poll's
// status test) recurs across the steps and the documents a `validate` checks; bounded, as a worker lints every
// document a run request names
const checked = new Map<string, CriterionCheck>();
const CHECKED_MAX = 2000;

/** Static check of a criterion, for validation: errors make it unusable, warnings flag non-standard forms. */
export function checkCriterion(c: Criterion): CriterionCheck {
  const key = JSON.stringify([c.condition, c.context, c.type]);
  let check = checked.get(key);
  if (!check) {
    if (checked.size >= CHECKED_MAX) checked.clear();
    checked.set(key, (check = checkUncached(c)));
  }
  return { errors: [...check.errors], warnings: check.warnings.map((w) => ({ ...w })) };
}

function checkUncached(c: Criterion): CriterionCheck {
  const check: CriterionCheck = { errors: [], warnings: [] };
  if (typeof c.condition !== 'string' || c.condition.trim() === '') return { ...check, errors: ['the criterion has no condition'] };
  try {
    checkCondition(c, check);
  } catch (e) {
    if (!(e instanceof CriterionError)) throw e;
    check.errors.push(e.message);
  }
  const invalid = findEmbeddedForms(c.condition).invalidBraced;
  if (invalid.length)
    check.warnings.push({
      code: 'invalid-embedded-expression',
      message: `not valid runtime expressions, left as text: ${invalid.join(', ')}`,
    });
  return check;
}
