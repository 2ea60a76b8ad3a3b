// The three errors of the expression language: a runtime expression, a condition, a criterion that cannot be
// parsed or is unsupported. Their messages are what validation and failed steps show.

export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`Invalid runtime expression '${expression}': ${reason}`);
    this.name = 'ExpressionError';
  }
}

export class ConditionParseError extends Error {
  constructor(
    readonly condition: string,
    /** 1-based column of the offending character */
    readonly column: number,
    readonly reason: string,
  ) {
    super(`Invalid condition '${condition}' at column ${column}: ${reason}`);
    this.name = 'ConditionParseError';
  }
}

export class CriterionError extends Error {
  constructor(
    readonly condition: string,
    reason: string,
  ) {
    super(`Criterion '${condition}': ${reason}`);
    this.name = 'CriterionError';
  }
}

/** The failure type a step fails with when evaluating it threw `err`. */
export function evaluationErrorType(err: unknown): 'ArazzoCriterionError' | 'ArazzoExpressionError' | 'ArazzoEvaluationError' {
  if (err instanceof CriterionError) return 'ArazzoCriterionError';
  return err instanceof ExpressionError ? 'ArazzoExpressionError' : 'ArazzoEvaluationError';
}
