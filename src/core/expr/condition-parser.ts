// The recursive-descent parser of conditions: `||` over `&&` over one comparison (never chained) over `!`,
// member access (`.name`, `[0]`, `['name']`) and primaries (literals, runtime expressions, parentheses).
// Pure code: runs inside the Temporal workflow sandbox.
import type { CompareOp, ConditionFeature, ConditionNode, ParsedCondition } from './ast';
import { ConditionParseError } from './errors';
import { tokenize, type ParseConditionOptions, type Token } from './condition-tokenizer';

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  parse(): ConditionNode {
    const node = this.or();
    if (this.peek().kind !== 'end') this.fail(`unexpected ${this.describe(this.peek())}: expected an operator or the end`);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private fail(reason: string, token = this.peek()): never {
    throw new ConditionParseError(this.src, token.col, reason);
  }

  private describe(t: Token): string {
    if (t.kind === 'end') return 'end of condition';
    return `'${this.src.slice(t.col - 1, (this.tokens[this.tokens.indexOf(t) + 1]?.col ?? t.col) - 1).trim()}'`;
  }

  private punct(...values: string[]): string | undefined {
    const t = this.peek();
    if (t.kind === 'punct' && values.includes(t.value)) {
      this.i++;
      return t.value;
    }
    return undefined;
  }

  private or(): ConditionNode {
    let left = this.and();
    while (this.punct('||')) left = { type: 'logical', op: '||', left, right: this.and() };
    return left;
  }

  private and(): ConditionNode {
    let left = this.comparison();
    while (this.punct('&&')) left = { type: 'logical', op: '&&', left, right: this.comparison() };
    return left;
  }

  private comparison(): ConditionNode {
    const left = this.unary();
    const op = this.punct('==', '!=', '<', '<=', '>', '>=') as CompareOp | undefined;
    if (!op) return left;
    const node: ConditionNode = { type: 'compare', op, left, right: this.unary() };
    if (this.punct('==', '!=', '<', '<=', '>', '>=')) this.fail('comparisons cannot be chained: add parentheses', this.tokens[this.i - 1]);
    return node;
  }

  private unary(): ConditionNode {
    if (this.punct('!')) return { type: 'not', operand: this.unary() };
    return this.postfix(this.primary());
  }

  private primary(): ConditionNode {
    const t = this.peek();
    this.i++;
    switch (t.kind) {
      case 'number':
      case 'string':
      case 'keyword':
        return { type: 'literal', value: t.value };
      case 'expression':
        return { type: 'expression', expr: t.expr };
      case 'context':
        return { type: 'context' };
      case 'punct':
        if (t.value === '(') {
          const inner = this.or();
          if (!this.punct(')')) this.fail(`expected ')' to close the '(' at column ${t.col}`);
          return inner;
        }
    }
    this.i--;
    return this.fail(`expected a literal, a runtime expression or '(' but found ${this.describe(t)}`);
  }

  private postfix(node: ConditionNode): ConditionNode {
    for (;;) {
      if (this.punct('.')) {
        const t = this.peek();
        if (t.kind !== 'name') this.fail("expected a member name after '.'");
        this.i++;
        node = { type: 'member', object: node, key: t.value };
      } else if (this.punct('[')) {
        const t = this.peek();
        if ((t.kind !== 'number' || !Number.isInteger(t.value) || t.value < 0) && t.kind !== 'string') {
          this.fail("expected an index or a quoted member name after '['");
        }
        this.i++;
        if (!this.punct(']')) this.fail("expected ']'");
        node = { type: 'member', object: node, key: t.value };
      } else {
        return node;
      }
    }
  }
}

export function parseCondition(src: string, opts: ParseConditionOptions = {}): ParsedCondition {
  const features = new Set<ConditionFeature>();
  const tokens = tokenize(src, opts, features);
  if (tokens.length === 1) throw new ConditionParseError(src, 1, 'the condition is empty');
  return { ast: new Parser(src, tokens).parse(), features: [...features] };
}
