// The hostile corpus (test/fixtures/hostile): malformed and hostile documents, source descriptions and inputs, each
// with a sibling <name>.expect.json. Every case goes through the prepare path `validate` and `run` use
// (prepareDocument, then checkInputs) and must be refused with a DocumentError whose diagnostic has the expected code,
// a message matching the pattern, the file, and the line where there is one. A few also go through the CLI.
//
// expect.json: { what, code, message (regex), line?, inputs? (with {"$repeat": s, "times": n} and {"$nest": depth}),
// inputsJson? (raw JSON text, for keys such as __proto__), amplify? [{marker, text, times}] (the marker is replaced by
// text repeated, `{i}` / `{i1}` being the index and index + 1: large cases stay small in git), bytes? {marker: hex}
// (raw bytes, for encodings) }.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentError } from '../../src/core/diagnostics';
import type { Diagnostic } from '../../src/core/types';
import { checkInputs, prepareDocument } from '../../src/load/prepare';

const DIR = join(__dirname, '../fixtures/hostile');
const ROOT = join(__dirname, '../..');

interface Expect {
  what: string;
  code: string;
  message: string;
  line?: number;
  inputs?: Record<string, unknown>;
  inputsJson?: string;
  amplify?: { marker: string; text: string; times: number }[];
  bytes?: Record<string, string>;
}

const files = readdirSync(DIR);
const cases = files
  .filter((f) => f.endsWith('.expect.json'))
  .sort()
  .map((f) => {
    const stem = f.slice(0, -'.expect.json'.length);
    const doc = files.find((d) => d.startsWith(stem + '.') && /\.arazzo\.(ya?ml|json)$/.test(d));
    assert.ok(doc, `${f} has no sibling document`);
    return { stem, doc, expect: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Expect };
  });

// generated cases are written to a temp copy of the corpus (with its helper files, so relative urls resolve)
const work = mkdtempSync(join(tmpdir(), 'hostile-'));
after(() => rmSync(work, { recursive: true, force: true }));
for (const f of files.filter((f) => !/\.(arazzo\.(ya?ml|json)|expect\.json)$/.test(f))) copyFileSync(join(DIR, f), join(work, f));

function materialize(doc: string, e: Expect): string {
  if (!e.amplify && !e.bytes) return join(DIR, doc);
  let text = readFileSync(join(DIR, doc), 'utf8');
  for (const a of e.amplify ?? []) {
    text = text.split(a.marker).join(Array.from({ length: a.times }, (_, i) => a.text.replace(/\{i\}/g, String(i)).replace(/\{i1\}/g, String(i + 1))).join(''));
  }
  const parts: Buffer[] = [];
  const markers = Object.keys(e.bytes ?? {});
  let rest = text;
  for (;;) {
    const hits = markers.map((m) => [m, rest.indexOf(m)] as const).filter(([, i]) => i >= 0).sort((a, b) => a[1] - b[1]);
    if (!hits.length) break;
    const [m, i] = hits[0];
    parts.push(Buffer.from(rest.slice(0, i), 'utf8'), Buffer.from(e.bytes![m], 'hex'));
    rest = rest.slice(i + m.length);
  }
  parts.push(Buffer.from(rest, 'utf8'));
  const path = join(work, doc);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

function expand(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(expand);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$repeat === 'string') return o.$repeat.repeat(o.times as number);
    if (typeof o.$nest === 'number') {
      let deep: unknown = 'leaf';
      for (let i = 0; i < o.$nest; i++) deep = { a: deep };
      return deep;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, expand(x)]));
  }
  return v;
}

async function refusal(path: string, e: Expect): Promise<Diagnostic[]> {
  try {
    const prepared = await prepareDocument(path);
    const inputs = e.inputsJson !== undefined ? (JSON.parse(e.inputsJson) as Record<string, unknown>) : e.inputs ? (expand(e.inputs) as Record<string, unknown>) : undefined;
    assert.ok(inputs, `the document itself was accepted, and the case has no inputs to refuse`);
    checkInputs(prepared.plan, inputs, prepared.locate, prepared.workflowPath);
  } catch (err) {
    assert.ok(err instanceof DocumentError, `not a DocumentError: ${(err as Error).stack}`);
    return err.diagnostics;
  }
  assert.fail('accepted');
}

test('the corpus holds at least 50 cases, each with a sibling document', () => {
  assert.ok(cases.length >= 50, `${cases.length} cases`);
});

for (const { stem, doc, expect: e } of cases) {
  test(`hostile ${stem}: ${e.what}`, async () => {
    const path = materialize(doc, e);
    const started = performance.now();
    const diagnostics = await refusal(path, e);
    const elapsed = performance.now() - started;
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const hit = errors.find((d) => d.code === e.code && new RegExp(e.message).test(d.message));
    assert.ok(hit, `expected [${e.code}] /${e.message}/, got:\n${errors.map((d) => `[${d.code}] ${d.message.slice(0, 300)}`).join('\n')}`);
    assert.ok(hit.pos?.file?.endsWith(doc), `names the file: ${JSON.stringify(hit.pos)}`);
    if (e.line !== undefined) assert.equal(hit.pos?.line, e.line, `line of ${hit.message.slice(0, 200)}`);
    for (const d of errors) assert.doesNotMatch(d.message, /Maximum call stack|RangeError|\bat .*\.ts:\d+/, 'no internal error leaks through');
    assert.equal(hit.message.length < 2000, true, 'a message a person can read');
    assert.ok(elapsed < 30_000, `refused in ${Math.round(elapsed)} ms`); // a budget: the point is that it returns
  });
}

test('nothing in the corpus polluted Object.prototype', () => {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

// ---------- through the CLI ----------

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // an address where nothing listens: a refusal must come before any connection is tried
    const env = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' };
    execFile(process.execPath, [join(ROOT, 'bin/arazzo-temporal.js'), ...args], { cwd: ROOT, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const VIA_CLI = ['01-deep-flow-20000', '06-billion-laughs', '10-not-utf8-latin1', '33-jsonpath-cve-goessner', '51-condition-deep-parens'];

test('a few cases through the CLI: validate and run exit 1 with the message, and run starts nothing', async () => {
  for (const stem of VIA_CLI) {
    const c = cases.find((x) => x.stem === stem);
    assert.ok(c, stem);
    const path = materialize(c.doc, c.expect);
    const validate = await cli(['validate', path]);
    assert.equal(validate.code, 1, `${stem}: ${validate.stdout}${validate.stderr}`);
    const out = validate.stdout + validate.stderr;
    assert.match(out, new RegExp(`\\[${c.expect.code}\\]`), stem);
    assert.match(out, new RegExp(c.expect.message), stem);
    assert.match(out, new RegExp(`${c.doc.replace(/\./g, '\\.')}${c.expect.line ? `:${c.expect.line}:` : ''}`), `${stem}: names file${c.expect.line ? ':line' : ''}`);
    assert.doesNotMatch(out, /Maximum call stack|\n\s+at /, `${stem}: no stack trace`);
    if (stem !== VIA_CLI[0] && stem !== VIA_CLI[3]) continue; // each CLI start costs seconds: run and --json on two
    const run = await cli(['run', path, '--address', '127.0.0.1:1']);
    assert.equal(run.code, 1, stem);
    assert.match(run.stdout + run.stderr, new RegExp(`\\[${c.expect.code}\\]`), `${stem}: run refuses before connecting`);
    assert.doesNotMatch(run.stdout + run.stderr, /connect|ECONNREFUSED|transport/i, `${stem}: nothing was started`);
    const json = await cli(['validate', path, '--json']);
    const parsed = JSON.parse(json.stdout) as { valid: boolean; diagnostics: Diagnostic[] };
    assert.equal(parsed.valid, false);
    assert.ok(parsed.diagnostics.some((d) => d.code === c.expect.code), stem);
  }
});
