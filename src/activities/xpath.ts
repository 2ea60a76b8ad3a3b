// XPath criteria on XML bodies: the text is parsed with @xmldom/xmldom and the condition evaluated with fontoxpath
// (XPath 3.1, which reads XPath 1.0, 2.0 and 3.0 expressions; XPath 1.0's backwards-compatible type coercions,
// such as '1' = 1 being true, are not emulated). A criterion passes on the Effective Boolean Value of the result.
//
// Only activities (and the client's checks) evaluate xpath: they install this engine into the core
// (src/core/xpath-engine.ts), so the workflow bundle never contains fontoxpath or @xmldom/xmldom; the compiler
// refuses xpath criteria on workflow steps, whose criteria the workflow evaluates itself.
import type * as Fontoxpath from 'fontoxpath';
import type * as Xmldom from '@xmldom/xmldom';
import { LIMITS } from '../core/limits';
import { XPathSyntaxError, installXPathEngine, type XPathEngine, type XPathResult } from '../core/xpath-engine';

/** Longest XML text an xpath criterion is applied to; longer contexts fail the criterion. */
export const MAX_XPATH_SUBJECT = LIMITS.xpathSubject;

const STATIC_ERROR = /\bXPST\d{4}\b/;

let emptyDocument: unknown;

// loaded on first use: most documents have no xpath criterion, and `validate` should not load an XPath engine for them
const evaluateXPathToBoolean: typeof Fontoxpath.evaluateXPathToBoolean = (...args) =>
  (require('fontoxpath') as typeof Fontoxpath).evaluateXPathToBoolean(...args);
const xmldom = () => require('@xmldom/xmldom') as typeof Xmldom;

/**
 * @xmldom/xmldom reads no DTD and expands no entity declared in one: an external entity (`<!ENTITY x SYSTEM
 * "file:///etc/passwd">`, or an http URL) is never read or fetched (no XXE), and internal ones cannot multiply
 * (no billion laughs). A document that uses a declared entity is not well-formed to it; the detail says why.
 */
function parseXml(text: string): unknown {
  const problems: string[] = [];
  const parser = new (xmldom().DOMParser)({
    onError: (level: string, message: string) => {
      if (level !== 'warning') problems.push(message);
    },
  });
  let doc: unknown;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length && /<!ENTITY/i.test(text) && /entity not found/i.test(problems[0])) {
    throw new Error(`${problems[0]} (entities declared in a DTD are not expanded, external ones never read)`);
  }
  if (problems.length || !doc) throw new Error(problems[0] ?? 'not XML');
  return doc;
}

function firstLine(message: string): string {
  return (
    message
      .split('\n')
      .find((l) => STATIC_ERROR.test(l) || /Error/.test(l))
      ?.trim() ?? message.split('\n')[0]
  );
}

/** Throws XPathSyntaxError when the expression has a static error; dynamic errors (which need data) are not looked for. */
export function checkXPath(expression: string): void {
  emptyDocument ??= parseXml('<empty/>');
  try {
    evaluateXPathToBoolean(expression, emptyDocument);
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (STATIC_ERROR.test(message)) throw new XPathSyntaxError(`invalid XPath: ${firstLine(message)}`);
  }
}

/**
 * Evaluates `expression` on the XML text `xml`. Text that is not well-formed XML, and dynamic errors of the
 * expression (type errors and the like), fail the criterion with a detail; static errors throw XPathSyntaxError.
 */
export function evaluateXPathOnText(expression: string, xml: string): XPathResult {
  if (xml.length > MAX_XPATH_SUBJECT)
    return { passed: false, detail: `context is ${xml.length} characters, over the ${MAX_XPATH_SUBJECT} limit for xpath criteria` };
  let doc: unknown;
  try {
    doc = parseXml(xml);
  } catch (e) {
    return { passed: false, detail: `context is not well-formed XML: ${(e as Error).message}` };
  }
  try {
    return { passed: evaluateXPathToBoolean(expression, doc) };
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (STATIC_ERROR.test(message)) throw new XPathSyntaxError(`invalid XPath: ${firstLine(message)}`);
    return { passed: false, detail: `evaluation error: ${firstLine(message)}` };
  }
}

const evaluateXPathToStrings: typeof Fontoxpath.evaluateXPathToStrings = (...args) =>
  (require('fontoxpath') as typeof Fontoxpath).evaluateXPathToStrings(...args);

/**
 * What an xpath Selector Object selects in the XML text `xml`: the string value of each item. Text over the limit,
 * text that is not well-formed XML, static and dynamic errors all throw, with the reason.
 */
export function selectXPathOnText(expression: string, xml: string): string[] {
  if (xml.length > MAX_XPATH_SUBJECT) throw new Error(`context is ${xml.length} characters, over the ${MAX_XPATH_SUBJECT} limit for xpath`);
  let doc: unknown;
  try {
    doc = parseXml(xml);
  } catch (e) {
    throw new Error(`context is not well-formed XML: ${(e as Error).message}`);
  }
  try {
    return evaluateXPathToStrings(expression, doc);
  } catch (e) {
    const message = firstLine((e as Error).message ?? String(e));
    throw STATIC_ERROR.test(message) ? new XPathSyntaxError(`invalid XPath: ${message}`) : new Error(`evaluation error: ${message}`);
  }
}

interface XmlNode {
  nodeType: number;
  firstChild: XmlNode | null;
  ownerDocument: { createTextNode(text: string): XmlNode };
  removeChild(n: XmlNode): void;
  appendChild(n: XmlNode): void;
  value?: string;
  nodeValue?: string | null;
  data?: string;
}

/**
 * A payload replacement with targetSelectorType xpath: the XML text with every node the expression selects set to
 * `value` (an element's content replaced by that text, an attribute's or a text node's value), serialized again.
 * A target that selects no node, or something other than nodes, throws: the payload is never sent unchanged.
 */
export function replaceXPathOnText(expression: string, xml: string, value: string): string {
  if (xml.length > MAX_XPATH_SUBJECT)
    throw new Error(`the payload is ${xml.length} characters, over the ${MAX_XPATH_SUBJECT} limit for xpath`);
  let doc: unknown;
  try {
    doc = parseXml(xml);
  } catch (e) {
    throw new Error(`the payload is not well-formed XML: ${(e as Error).message}`);
  }
  let nodes: XmlNode[];
  try {
    nodes = (require('fontoxpath') as typeof Fontoxpath).evaluateXPathToNodes(expression, doc) as unknown as XmlNode[];
  } catch (e) {
    const message = firstLine((e as Error).message ?? String(e));
    throw STATIC_ERROR.test(message) ? new XPathSyntaxError(`invalid XPath: ${message}`) : new Error(`evaluation error: ${message}`);
  }
  if (nodes.length === 0) throw new Error('the replacement target selects nothing in the payload');
  for (const node of nodes) {
    if (node.nodeType === 2)
      node.value = node.nodeValue = value; // attribute
    else if (node.nodeType === 3 || node.nodeType === 4)
      node.data = node.nodeValue = value; // text, CDATA
    else if (node.nodeType === 1) {
      while (node.firstChild) node.removeChild(node.firstChild);
      node.appendChild(node.ownerDocument.createTextNode(value));
    } else throw new Error(`the replacement target selects a node that holds no value (node type ${node.nodeType})`);
  }
  return new (xmldom().XMLSerializer)().serializeToString(doc as Xmldom.Document);
}

/** fontoxpath on @xmldom/xmldom documents. */
export const fontoxpathEngine: XPathEngine = {
  check: checkXPath,
  evaluate: evaluateXPathOnText,
  select: selectXPathOnText,
  replace: replaceXPathOnText,
};

/** Install the engine into the core (idempotent): the step activity and the client's checks call it. */
export function useXPath(): void {
  installXPathEngine(fontoxpathEngine);
}
