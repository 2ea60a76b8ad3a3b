// Hostile criteria and response bodies: no code execution through JSONPath filters, no external entities in XML,
// regex criteria that cannot stall a worker.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CriterionError, checkCriterion, evaluateCriterion } from '../../src/core/expr';
import type { Criterion, ExpressionContext } from '../../src/core/types';
import { useXPath } from '../../src/activities/xpath';

useXPath();

function ctxWith(body: unknown): ExpressionContext {
  return { statusCode: 200, response: { body, headers: {} }, inputs: {}, steps: {}, outputs: {}, workflows: {}, sourceDescriptions: {} } as unknown as ExpressionContext;
}

const GOESSNER = { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' } as const;

// CVE-2024-21534 (jsonpath-plus < 10.0.7) and CVE-2025-1302 (< 10.3.0, the incomplete fix) ran such filters as code.
const CODE_PAYLOADS = [
  "$..[?(@.constructor.constructor('return process')())]",
  "$[?(@.constructor.constructor('return process')().exit(7))]",
  "$..[?(@.constructor.constructor('return process.mainModule.require(\"child_process\").execSync(\"id\")')())]",
  '$..[?(@.__proto__.polluted = 1)]',
  '$..[?(@.a.constructor.prototype.toString = 1)]',
  '$..[?(this.constructor)]',
  '$..[?(globalThis.process)]',
  "$..[?(require('fs'))]",
  "$..[?(Function('return 1')())]",
  '$..[?(@.a.repeat(100000000))]',
  "$..[?(@.a.match(/(a+)+$/))]",
  '$[(@.constructor.constructor("return process")())]',
  "$..[?(@['constructor']['constructor']('return process')())]",
];

test('JSONPath code payloads are refused, by the check before the run and at run time, in every dialect; the process is untouched', () => {
  const exit = mock.method(process, 'exit', () => {
    throw new Error('process.exit was called');
  });
  try {
    const ctx = ctxWith({ a: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', items: [{ n: 1 }] });
    for (const condition of CODE_PAYLOADS) {
      for (const type of ['jsonpath', GOESSNER] as const) {
        const c: Criterion = { condition, context: '$response.body', type };
        const check = checkCriterion(c);
        assert.ok(check.errors.length > 0, `${JSON.stringify(type)} ${condition} must be refused before the run`);
        assert.throws(() => evaluateCriterion(c, ctx), CriterionError, condition);
      }
      // in a simple condition, `$` alone is not an expression
      assert.ok(checkCriterion({ condition }).errors.length > 0, condition);
    }
    // as RFC 9535 the message says it is not a query; as Goessner that it would run code
    assert.match(checkCriterion({ condition: CODE_PAYLOADS[0], context: '$response.body', type: 'jsonpath' }).errors[0], /not an RFC 9535 query/);
    assert.match(checkCriterion({ condition: CODE_PAYLOADS[0], context: '$response.body', type: GOESSNER }).errors[0], /may not run code: it names 'constructor'/);
    assert.equal(exit.mock.callCount(), 0);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  } finally {
    exit.mock.restore();
  }
});

test('a payload smuggled in through an input ({$inputs.x} is substituted first) is refused at run time', () => {
  const c: Criterion = { condition: '$[?({$inputs.filter})]', context: '$response.body', type: GOESSNER };
  assert.deepEqual(checkCriterion(c).errors, [], 'the placeholder itself is harmless');
  const ctx = { ...ctxWith([{ a: 1 }]), inputs: { filter: "@.constructor.constructor('return process')()" } } as ExpressionContext;
  assert.throws(() => evaluateCriterion(c, ctx), /may not run code/);
  const rfc: Criterion = { condition: "$[?search(@.a, '{$inputs.p}')]", context: '$response.body', type: 'jsonpath' };
  assert.throws(() => evaluateCriterion(rfc, { ...ctxWith([{ a: 'aaaa' }]), inputs: { p: '(a+)+$' } } as ExpressionContext), /catastrophic/);
});

test('ordinary Goessner filters still run', () => {
  const c = (condition: string): Criterion => ({ condition, context: '$response.body', type: GOESSNER });
  const body = { status: 'completed', items: [{ n: 1, name: 'a(b)' }, { n: 2 }] };
  for (const [condition, passed] of [
    ["$[?(@.status == 'completed')]", true],
    ["$[?(@.status === 'failed')]", false],
    ['$.items[?(@.n > 1)]', true],
    ["$.items[?(@.name == 'a(b)')]", true],
    ['$.items[(@.length-1)]', true],
    ['$.items[?(@.n >= 2 && @.n <= 3)]', true],
    ["$[?(@.process == 'x' || @.this == 1 || @.eval)]", false],
  ] as const) {
    assert.deepEqual(checkCriterion(c(condition)).errors, [], condition);
    assert.equal(evaluateCriterion(c(condition), ctxWith(body)).passed, passed, condition);
  }
});

test('every jsonpath-plus call in src uses its safe evaluator (eval: "safe" or false), never node:vm', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(__dirname, '../../src'));
  let calls = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (!/'jsonpath-plus'/.test(text) && !/goessnerJsonPath\(\)/.test(text)) continue;
    // direct calls, and calls through the lazy loader (src/core/expr/criterion-goessner.ts)
    for (const m of text.matchAll(/(?:JSONPath|goessnerJsonPath\(\))\s*\(\s*\{([^}]*)\}/g)) {
      calls++;
      assert.match(m[1], /\beval:\s*('safe'|false)/, `${file}: ${m[0]}`);
    }
    assert.doesNotMatch(text, /new JSONPath|JSONPath\.prototype|eval:\s*'native'/, file);
  }
  assert.ok(calls >= 3, `the call sites were found (${calls})`);
});

test('regex criteria: (a+)+$ on a long subject does not stall (RE2, linear time)', () => {
  const c: Criterion = { condition: '^(a+)+$', context: '$response.body', type: 'regex' };
  assert.deepEqual(checkCriterion(c).errors, []);
  const started = performance.now();
  assert.equal(evaluateCriterion(c, ctxWith('a'.repeat(200_000) + '!')).passed, false);
  assert.equal(evaluateCriterion({ ...c, condition: '(x+x+)+y' }, ctxWith('x'.repeat(200_000))).passed, false);
  assert.ok(performance.now() - started < 10_000, 'a backtracking engine would not return');
});

function xpath(condition: string): Criterion {
  return { condition, context: '$response.body', type: 'xpath' };
}

test('XXE: an external entity naming a local file is not read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xxe-'));
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'TOPSECRET-XXE');
  const spies = (['openSync', 'readFileSync', 'readFile', 'open', 'createReadStream'] as const).map((name) => mock.method(fs, name));
  const opened = (): string[] => spies.flatMap((s) => s.mock.calls.map((c) => String(c.arguments[0])));
  try {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file://${secret}">]>\n<r>&x;</r>`;
    for (const condition of ["contains(string(/r), 'TOPSECRET')", 'string-length(/r) > 0', '/r']) {
      const r = evaluateCriterion(xpath(condition), ctxWith(xml));
      assert.equal(r.passed, false, condition);
      assert.match(r.detail ?? '', /not expanded/);
      assert.doesNotMatch(JSON.stringify(r), /TOPSECRET/);
    }
    // SYSTEM DTD on a file: the document parses, the DTD is not read
    const withDtd = `<!DOCTYPE r SYSTEM "file://${secret}"><r>ok</r>`;
    assert.equal(evaluateCriterion(xpath("/r = 'ok'"), ctxWith(withDtd)).passed, true);
    assert.equal(evaluateCriterion(xpath("contains(string(/), 'TOPSECRET')"), ctxWith(withDtd)).passed, false);
    assert.deepEqual(opened().filter((c) => c.includes(secret)), [], 'the file was never opened');
    // the spies see reads (so the assertion above can fail)
    fs.readFileSync(secret);
    assert.ok(opened().some((c) => c.includes(secret)));
  } finally {
    spies.forEach((s) => s.mock.restore());
    rmSync(dir, { recursive: true, force: true });
  }
});

test('XXE: an external entity or DTD on a loopback URL is never requested', async () => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.end('PWNED-XXE');
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const docs = [
      `<!DOCTYPE r [<!ENTITY x SYSTEM "${url}/entity">]><r>&x;</r>`,
      `<!DOCTYPE r SYSTEM "${url}/dtd"><r>ok</r>`,
      `<!DOCTYPE r [<!ENTITY % p SYSTEM "${url}/param"> %p;]><r>ok</r>`,
      `<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="${url}/xinclude"/></r>`,
    ];
    for (const xml of docs) {
      const r = evaluateCriterion(xpath("contains(string(/), 'PWNED')"), ctxWith(xml));
      assert.equal(r.passed, false, xml);
    }
    // fontoxpath has no fn:doc, fn:unparsed-text and the like: such an expression is refused, before the run too
    for (const fn of ['doc', 'doc-available', 'unparsed-text', 'unparsed-text-available', 'json-doc']) {
      assert.throws(() => evaluateCriterion(xpath(`${fn}('${url}/${fn}')`), ctxWith('<r>ok</r>')), /XPST0017/, fn);
      assert.match(checkCriterion(xpath(`${fn}('${url}/${fn}')`)).errors[0] ?? '', /XPST0017/, fn);
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(requests + connections, 0, 'no request reached the loopback server');
    // the server counts (so the assertion above can fail)
    await fetch(`${url}/probe`).then((r) => r.text());
    assert.equal(requests, 1);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('XML internal entity expansion (billion laughs) does not expand', () => {
  const lol = ['<!ENTITY l0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`)].join('');
  const xml = `<!DOCTYPE r [${lol}]><r>&l9;</r>`;
  const started = performance.now();
  const r = evaluateCriterion(xpath('string-length(/r) > 1000'), ctxWith(xml));
  assert.equal(r.passed, false);
  assert.match(r.detail ?? '', /entit/);
  assert.ok(performance.now() - started < 5_000);
});

test('regex dialect differences from RegExp are as the README says', () => {
  const r = (p: string, s: string): boolean => evaluateCriterion({ condition: p, context: '$response.body', type: 'regex' }, ctxWith(s)).passed;
  assert.equal(r('\\s', '\t'), true);
  assert.equal(r('\\s', '\v'), false, '\\s is ASCII whitespace without \\v');
  assert.equal(r('\\s', '\u00a0'), false, 'nor Unicode spaces');
  assert.equal(r('^.$', '\r'), true, '. matches \\r');
  assert.equal(r('^.$', '\n'), false);
  assert.equal(r('(?i)^ABC$', 'abc'), true, "RE2's inline flags");
  assert.equal(r('\\p{Greek}', 'α'), true);
});
