// The selectXPath local activity: the xpath Selector Objects the workflow evaluates (workflow outputs, a workflow
// step's inputs and outputs, a message step's outputs) need an XML parser and an XPath engine, which stay out of
// the workflow sandbox. The workflow sends each selector with the XML text its context evaluated to; the answers
// (string values, or the engine's reason) are recorded in history, so a replay never evaluates them again.
import type { XPathSelected, XPathSelection } from '../core/contract';
import { selectXPathOnText } from './xpath';

export async function selectXPath(selections: XPathSelection[]): Promise<XPathSelected[]> {
  return selections.map(({ selector, xml }) => {
    try {
      return { values: selectXPathOnText(selector, xml) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
}
