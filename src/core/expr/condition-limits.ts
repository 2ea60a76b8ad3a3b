// Limits of conditions (src/core/limits.ts): the condition parser recurses per parenthesis and `!`, so a condition
// longer or deeper than the limits is refused before it runs out of stack.
// Pure code: runs inside the Temporal workflow sandbox.
import { LIMITS } from '../limits';
import { CriterionError } from './errors';

/**
 * Why a condition is over the limits, if it is. Quoted strings do not count.
 */
export function conditionLimitProblem(text: string): string | undefined {
  if (text.length > LIMITS.conditionLength)
    return `the condition is ${text.length} characters long, over the limit of ${LIMITS.conditionLength}`;
  let depth = 0;
  let max = 0;
  let bangs = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === '\\' && ch === '"') i++;
      bangs = 0;
    } else if (ch === '(') max = Math.max(max, ++depth + bangs);
    else if (ch === ')') depth--;
    else if (ch === '!' && text[i + 1] !== '=') max = Math.max(max, depth + ++bangs);
    else if (ch !== ' ') bangs = 0;
  }
  return max > LIMITS.conditionNesting ? `the condition nests parentheses or '!' more than ${LIMITS.conditionNesting} deep` : undefined;
}

export function tooLong(text: unknown): void {
  if (typeof text === 'string' && text.length > LIMITS.conditionLength) {
    throw new CriterionError(
      `${text.slice(0, 80)}…`,
      `the condition is ${text.length} characters long, over the limit of ${LIMITS.conditionLength}`,
    );
  }
}
