// The syntax trees of the expression language, as plain JSON: the compiler puts them in the plan, the workflow
// and the step activity evaluate them without parsing again.

type ComponentKind = 'inputs' | 'parameters' | 'successActions' | 'failureActions';

/** What an expression designates, without its pointer suffix. */
export type ExpressionTarget =
  | { root: 'url' | 'method' | 'statusCode' }
  | { root: 'request'; source: 'header' | 'query' | 'path'; name: string }
  | { root: 'response'; source: 'header'; name: string }
  | { root: 'request' | 'response'; source: 'body' }
  /** Arazzo 1.1 `$message.header.<name>`, `$message.payload` (`$message.payload.a.b` as the spec's example writes it) */
  | { root: 'message'; source: 'header' | 'payload'; name?: string }
  | { root: 'inputs' | 'outputs'; name: string }
  | { root: 'steps'; stepId: string; name: string }
  | { root: 'workflows'; workflowId: string; field: 'inputs' | 'outputs'; name: string }
  | { root: 'sourceDescriptions'; sourceName: string; name: string }
  | { root: 'components'; kind: ComponentKind; name: string };

/** A parsed runtime expression. `pointer` is the JSON Pointer after `#` ('' = the whole value). */
export type ParsedExpression = ExpressionTarget & { text: string; pointer?: string };

// prettier-ignore
export const EXPRESSION_ROOTS = ['url', 'method', 'statusCode', 'request', 'response', 'message', 'inputs', 'outputs', 'steps', 'workflows', 'sourceDescriptions', 'components'] as const;

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A condition of the simple language (and of the comparison dialect, which adds `context`). */
export type ConditionNode =
  | { type: 'literal'; value: string | number | boolean | null }
  | { type: 'expression'; expr: ParsedExpression }
  /** the criterion's context value (comparison dialect only) */
  | { type: 'context' }
  | { type: 'member'; object: ConditionNode; key: string | number }
  | { type: 'not'; operand: ConditionNode }
  | { type: 'compare'; op: CompareOp; left: ConditionNode; right: ConditionNode }
  | { type: 'logical'; op: '&&' | '||'; left: ConditionNode; right: ConditionNode };

/** Non-standard constructs a condition uses, so the validator can warn about them. */
export type ConditionFeature = 'doubleQuotedString' | 'lengthProperty';

export interface ParsedCondition {
  ast: ConditionNode;
  features: ConditionFeature[];
}

/**
 * A string with `{$…}` (and, when lenient, bare `$…`) expressions in it: text and expressions in order. A string
 * that is one expression, or exactly one `{$…}`, is `{ expr }` and keeps the value's type.
 */
export type Template = { expr: ParsedExpression } | { parts: (string | ParsedExpression)[] };

/**
 * A criterion parsed at compile time. `template`: the `{$…}` expressions of a regex, jsonpath or xpath condition
 * (absent when there are none: the condition is used as written). `context`: the parsed context expression.
 */
export type CriterionAst =
  | { type: 'simple'; condition: ConditionNode }
  | { type: 'regex'; template?: Template; context?: ParsedExpression }
  | {
      type: 'jsonpath';
      dialect: 'rfc9535' | 'goessner';
      template?: Template;
      context?: ParsedExpression;
      /** an RFC 9535 condition without `{$…}`, read at compile time: a query (rootFilter: `$[?…]`) or a comparison */
      read?: { rootFilter: boolean } | { comparison: ConditionNode };
    }
  | { type: 'xpath'; version: string; template?: Template; context?: ParsedExpression };
