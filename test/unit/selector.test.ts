// Arazzo 1.1 Selector Objects (src/core/expr/selector.ts): each type and version, what selects nothing or several
// nodes, and the errors a bad selector, a bad version or a context of the wrong kind give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSelector, evaluateValue, normalizedPathPointer, replaceInXml, SelectorError, targetPointers, toPlanSelector } from '../../src/core/expr';
import type { ExpressionContext } from '../../src/core/types';
import { useXPath } from '../../src/activities/xpath';

useXPath();

const body = { user: { profile: { email: 'a@example.com' } }, items: [{ id: 1, n: 'one' }, { id: 2, n: 'two' }], 'a/b': 'slash' };
const xml = '<Invoice><Header><InvoiceNumber>INV-7</InvoiceNumber></Header><Line n="1"/><Line n="2"/></Invoice>';
const ctx = { inputs: {}, steps: { x: { outputs: { xml } } }, response: { header: {}, body } } as unknown as ExpressionContext;
const select = (selector: string, type: unknown, context = '$response.body') =>
  evaluateSelector(toPlanSelector({ context, selector, type }), ctx);

test('selector: jsonpath rfc9535 (the default) and draft-goessner-dispatch-jsonpath-00', () => {
  assert.equal(select('$.user.profile.email', 'jsonpath'), 'a@example.com');
  assert.deepEqual(select('$.items[*].id', { type: 'jsonpath', version: 'rfc9535' }), [1, 2]);
  assert.equal(select('$.items[?(@.id > 1)].n', { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' }), 'two');
  assert.equal(select('$.nothing', 'jsonpath'), undefined);
});

test('selector: jsonpointer rfc6901', () => {
  assert.equal(select('/a~1b', 'jsonpointer'), 'slash');
  assert.equal(select('/items/1/n', { type: 'jsonpointer', version: 'rfc6901' }), 'two');
  assert.equal(select('/items/9', 'jsonpointer'), undefined);
});

test('selector: xpath (default xpath-31, and the older versions) on XML text: string values', () => {
  const at = '$steps.x.outputs.xml';
  assert.equal(select('/Invoice/Header/InvoiceNumber', 'xpath', at), 'INV-7');
  assert.deepEqual(select('//Line/@n', { type: 'xpath', version: 'xpath-30' }, at), ['1', '2']);
  assert.equal(select('count(//Line)', { type: 'xpath', version: 'xpath-10' }, at), '2');
  assert.equal(select('//Missing', 'xpath', at), undefined);
  assert.throws(() => select('/Invoice', 'xpath'), /context \$response\.body is not XML text \(got object\)/);
});

test('selector: in a value, evaluated where values are', () => {
  const value = { id: toPlanSelector({ context: '$response.body', selector: '$.items[0].id', type: 'jsonpath' }), kept: 'as is' };
  assert.deepEqual(evaluateValue(value, ctx), { id: 1, kept: 'as is' });
});

test('selector: a bad selector, type or version is refused with the reason', () => {
  assert.throws(() => toPlanSelector({ context: '$response.body', selector: '$.items[', type: 'jsonpath' }), (e: unknown) => {
    assert.ok(e instanceof SelectorError);
    assert.match((e as Error).message, /Selector '\$\.items\[': not a valid jsonpath \(rfc9535\) selector/);
    return true;
  });
  assert.throws(() => toPlanSelector({ context: '$response.body', selector: 'items', type: 'jsonpointer' }), /must be empty or start with '\/'/);
  assert.throws(() => toPlanSelector({ context: '$response.body', selector: '//x[', type: 'xpath' }), /not a valid xpath \(xpath-31\)/);
  assert.throws(
    () => toPlanSelector({ context: '$response.body', selector: '$.a', type: { type: 'jsonpath', version: 'xpath-30' } }),
    /jsonpath version "xpath-30" is not one of rfc9535, draft-goessner-dispatch-jsonpath-00/,
  );
  assert.throws(() => toPlanSelector({ context: '$response.body', selector: '$.a', type: 'regex' }), /type "regex" is not one of/);
  assert.throws(() => toPlanSelector({ context: '$response.body', selector: '$.a' }), /type is required/);
  assert.throws(() => toPlanSelector({ context: 'response.body', selector: '$.a', type: 'jsonpath' }), /Invalid runtime expression/);
  assert.throws(
    () => toPlanSelector({ context: '$response.body', selector: '$[?(@.constructor)]', type: { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' } }),
    /may not run code/,
  );
});

test('selector: a context that is not structured data is an error; a missing one selects nothing', () => {
  const c = { ...ctx, response: { header: {}, body: 'text' } } as unknown as ExpressionContext;
  assert.throws(() => evaluateSelector(toPlanSelector({ context: '$response.body', selector: '$.a', type: 'jsonpath' }), c), /is not structured data \(got string/);
  assert.equal(evaluateSelector(toPlanSelector({ context: '$inputs.none', selector: '/a', type: 'jsonpointer' }), ctx), undefined);
});

test('targetSelectorType jsonpath: every match as a JSON Pointer, names escaped; nothing selected is an error', () => {
  assert.equal(normalizedPathPointer("$['a']['b\\'c'][1]['d/e~']['\\n']"), "/a/b'c/1/d~1e~0/\n");
  const payload = { items: [{ s: 1 }, { s: 2 }], 'x/y': { s: 3 } };
  assert.deepEqual(targetPointers('$..s', 'jsonpath', payload).sort(), ['/items/0/s', '/items/1/s', '/x~1y/s']);
  assert.deepEqual(targetPointers('$..s', { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' }, payload).sort(), ['/items/0/s', '/items/1/s', '/x~1y/s']);
  assert.deepEqual(targetPointers('/items/0', 'jsonpointer', payload), ['/items/0']);
  assert.throws(() => targetPointers('$.none', 'jsonpath', payload), /selects nothing in the payload/);
  assert.throws(() => targetPointers('$.a[?', 'jsonpath', payload), SelectorError);
  assert.throws(() => targetPointers('/a', 'xpath', payload), /not a location in structured data/);
});

test('selector: targetSelectorType xpath replaces in an XML text payload; what cannot be replaced is an error, never a quiet no-op', () => {
  const order = '<order><status>new</status><n a="1"/></order>';
  assert.equal(replaceInXml('/order/status', 'xpath', order, 'paid'), '<order><status>paid</status><n a="1"/></order>');
  assert.equal(replaceInXml('//n/@a', { type: 'xpath', version: 'xpath-10' }, order, 2), '<order><status>new</status><n a="2"/></order>');
  assert.throws(() => replaceInXml('/order/missing', 'xpath', order, 'x'), /selects nothing in the payload/);
  assert.throws(() => replaceInXml('/order/status', 'xpath', { a: 1 }, 'x'), /needs an XML text payload \(got object\)/);
  assert.throws(() => replaceInXml('/order/status', 'xpath', order, { a: 1 }), /must be text, a number or a boolean/);
  assert.throws(() => replaceInXml('/order/status', 'xpath', '<order>', 'x'), /not well-formed XML/);
  assert.throws(() => replaceInXml('/order/status', { type: 'xpath', version: 'xpath-99' }, order, 'x'), /xpath version "xpath-99"/);
});
