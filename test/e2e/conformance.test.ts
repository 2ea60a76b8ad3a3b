// The conformance suite: every document in test/conformance/cases runs on a real Temporal dev server
// (test/helpers/stack.ts) against the generic test API (test/conformance/api.ts), and is compared with its
// sibling <name>.expect.json:
//
//   { "feature": "what the case shows",
//     "inputs": {...},                       run inputs
//     "outputs": {...},                      the workflow outputs, deep-equal; a leaf {"$match": "regex"} matches text
//     "warnings": ["code", ...],             warning codes prepare reports (default: none)
//     "error": {"code", "message", "line"?}  the document is refused before anything starts, with this finding
//     "runError": "regex",                   the run fails with this message
//     "localActivities": ["type", ...],      the local activities its history records (markers), in order; the
//                                            run is then also replayed from that history
//     "strict": true, "workflowId": "...", "options": {...RunOptions},
//     "todo": "reason"                       known engine gap: the case runs but may fail }
//
// A new case is two files. Cases run 8 at a time against one stack.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DocumentError, failureMessage, type RunRequest } from '../../src/client';
import type { Diagnostic } from '../../src/core/types';
import { startTestApi, type TestApi } from '../conformance/api';
import { startStack, type Stack } from '../helpers/stack';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { workflowBundle } from '../../src/worker';

const CASES = join(__dirname, '..', 'conformance', 'cases');

interface Expectation {
  feature: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  warnings?: string[];
  error?: { code: string; message?: string; line?: number };
  localActivities?: string[];
  runError?: string;
  strict?: boolean;
  workflowId?: string;
  options?: RunRequest['options'];
  todo?: string;
}

export interface ConformanceCase {
  name: string;
  document: string;
  expect: Expectation;
}

export function loadCases(dir = CASES): ConformanceCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.arazzo.yaml'))
    .sort()
    .map((f) => {
      const name = basename(f, '.arazzo.yaml');
      return { name, document: join(dir, f), expect: JSON.parse(readFileSync(join(dir, `${name}.expect.json`), 'utf8')) as Expectation };
    });
}

/** Deep equality where an expected leaf {"$match": "regex"} matches a string. */
function assertMatches(actual: unknown, expected: unknown, at = 'outputs'): void {
  if (expected && typeof expected === 'object' && !Array.isArray(expected) && Object.keys(expected).length === 1 && '$match' in expected) {
    assert.equal(typeof actual, 'string', `${at}: expected text matching ${(expected as { $match: string }).$match}, got ${JSON.stringify(actual)}`);
    assert.match(actual as string, new RegExp((expected as { $match: string }).$match), at);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${at}: expected a list, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${at}: length`);
    expected.forEach((e, i) => assertMatches(actual[i], e, `${at}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object' && !Array.isArray(actual), `${at}: expected an object, got ${JSON.stringify(actual)}`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${at}: keys`);
    for (const [k, v] of Object.entries(expected)) assertMatches((actual as Record<string, unknown>)[k], v, `${at}.${k}`);
  } else assert.deepEqual(actual, expected, at);
}

/** Every OpenAPI source description of a case points at the test API. */
function serversFor(document: string, url: string): Record<string, string> {
  try {
    const doc = parseYaml(readFileSync(document, 'utf8')) as { sourceDescriptions?: { name?: unknown; type?: unknown }[] };
    const names = (doc?.sourceDescriptions ?? []).filter((s) => typeof s?.name === 'string' && s.type !== 'arazzo').map((s) => s.name as string);
    return Object.fromEntries(names.map((n) => [n, url]));
  } catch {
    return {}; // a case with broken YAML: prepare reports it
  }
}

const codes = (list: Diagnostic[]) => list.map((d) => d.code).sort();

let stack: Stack;
let api: TestApi;
let bundle: ReturnType<typeof workflowBundle>;

before(async () => {
  [stack, api] = await Promise.all([startStack(), startTestApi()]);
  bundle = workflowBundle();
  bundle.catch(() => undefined); // awaited by the cases that replay
});
after(async () => {
  await api?.close();
  await stack?.stop();
});

async function runCase(c: ConformanceCase): Promise<void> {
  const { expect } = c;
  const id = `conformance-${c.name}-${Date.now().toString(36)}`;
  const request: RunRequest = {
    document: c.document,
    inputs: expect.inputs ?? {},
    servers: serversFor(c.document, api.url),
    poll: { initialIntervalMs: 100, maxIntervalMs: 300 },
    strict: expect.strict,
    workflowId: expect.workflowId,
    options: expect.options,
    id,
  };

  if (expect.error) {
    const want = expect.error;
    await assert.rejects(stack.client.start(request), (err: unknown) => {
      assert.ok(err instanceof DocumentError, `expected the document to be refused, got ${String(err)}`);
      const found = err.diagnostics.filter((d) => d.severity === 'error' && d.code === want.code);
      assert.ok(found.length > 0, `no ${want.code} error among ${JSON.stringify(err.diagnostics, null, 1)}`);
      const d = found.find((x) => !want.message || new RegExp(want.message).test(x.message));
      assert.ok(d, `no ${want.code} error matching /${want.message}/ among: ${found.map((x) => x.message).join(' | ')}`);
      assert.ok(d.pos?.file.endsWith(`${c.name}.arazzo.yaml`), `the finding names the file: ${JSON.stringify(d.pos)}`);
      assert.ok(d.pos?.line, `the finding names a line: ${JSON.stringify(d.pos)}`);
      if (want.line !== undefined) assert.equal(d.pos.line, want.line, `line of ${d.code}: ${d.message}`);
      assert.match(err.message, new RegExp(`${c.name}\\.arazzo\\.yaml:\\d+:\\d+: error \\[${want.code}\\]`));
      return true;
    });
    // nothing was started
    await assert.rejects(stack.client.handle(id).describe(), /not found/i);
    return;
  }

  const started = await stack.client.start(request);
  assert.deepEqual(codes(started.prepared.warnings), [...(expect.warnings ?? [])].sort(), `warnings: ${started.prepared.warnings.map((w) => w.message).join(' | ')}`);
  for (const w of started.prepared.warnings) assert.ok(w.pos?.line, `warning ${w.code} names a line`);

  if (expect.runError !== undefined) {
    await assert.rejects(started.handle.result(), (err: unknown) => {
      assert.match(failureMessage(err), new RegExp(expect.runError as string));
      return true;
    });
    return;
  }
  const result = await started.handle.result();
  assertMatches(result.outputs, expect.outputs ?? {});
  if (expect.localActivities) {
    const history = await started.handle.fetchHistory();
    assert.deepEqual(localActivityTypes(history), expect.localActivities, 'local activities in history');
    await Worker.runReplayHistory({ workflowBundle: await bundle }, history, id);
  }
}

/** The activity types of a history's local-activity markers (the SDK's marker details, JSON). */
function localActivityTypes(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): string[] {
  return (history.events ?? []).flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_local_activity') return [];
    const data = m.details?.data?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type ?? '?'] : ['?'];
  });
}

describe('conformance cases on the dev server', { concurrency: 8 }, () => {
  const cases = loadCases();
  test('the suite has at least 40 cases, each with an expectation and a feature', () => {
    assert.ok(cases.length >= 40, `${cases.length} cases`);
    for (const c of cases) assert.ok(c.expect.feature, `${c.name}: feature`);
  });
  for (const c of cases) {
    test(`${c.name}: ${c.expect.feature}`, { todo: c.expect.todo }, () => runCase(c));
  }
});
