// XPath criteria need an XML parser and an XPath engine, Node-only libraries that must stay out of the
// workflow sandbox. The core knows only this interface; the side that evaluates xpath (the step activity,
// and the client's checks) installs the engine of src/activities/xpath.ts. Where none is installed (the
// workflow), an xpath criterion is a CriterionError; the compiler refuses xpath where the workflow evaluates.

/** The versions a Criterion Expression Type Object may name (1.0.1: 10/20/30; 1.1 adds 31, its default). */
export const XPATH_VERSIONS = ['xpath-10', 'xpath-20', 'xpath-30', 'xpath-31'] as const;

/** A static error of the expression (syntax, unknown function or prefix): the criterion can never be evaluated. */
export class XPathSyntaxError extends Error {}

export interface XPathResult {
  passed: boolean;
  detail?: string;
}

export interface XPathEngine {
  /** Throws XPathSyntaxError when the expression has a static error. */
  check(expression: string): void;
  /** The Effective Boolean Value of `expression` on the XML text `xml`; static errors throw XPathSyntaxError. */
  evaluate(expression: string, xml: string): XPathResult;
  /** The string values of what `expression` selects in `xml` (Arazzo 1.1 Selector Objects); throws on any error. */
  select?(expression: string, xml: string): string[];
  /**
   * The XML text `xml` with every node `expression` selects set to `value` (an element's content, an attribute's or
   * a text node's value), serialized again (a payload replacement with targetSelectorType xpath); throws on any
   * error, and when the expression selects no node.
   */
  replace?(expression: string, xml: string, value: string): string;
}

let installed: XPathEngine | undefined;

/** Called once by the side that evaluates xpath criteria. */
export function installXPathEngine(engine: XPathEngine): void {
  installed = engine;
}

/** The installed engine; throws (a plain Error: criteria.ts turns it into a CriterionError) where there is none. */
export function xpathEngine(): XPathEngine {
  if (!installed) throw new Error('xpath criteria are evaluated by the step activity; there is no XPath engine here');
  return installed;
}
