// document → plan: read an Arazzo document and its source descriptions, compile the chosen workflow,
// lint it, and check the run's inputs. Runs in the client (I/O allowed); the result is plain data.
import { stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { compileWorkflow, type LoadedSource } from '../core/compile';
import { DocumentError, hasErrors } from '../core/diagnostics';
import { lintPlan } from '../core/lint';
import type { ArazzoDocument, Diagnostic, Plan, PollPolicy } from '../core/types';
import { parseWithPositions } from './parse-document';
import { displayLocation, isUrl, localPath, readText, resolveLocation } from './read-source';
import { validateInputs } from './inputs';

export interface PrepareOptions {
  workflowId?: string;
  /** replace a source description's location: name → path or URL */
  sources?: Record<string, string>;
  /** replace a source description's server URL: name → URL */
  servers?: Record<string, string>;
  poll?: Partial<PollPolicy>;
  /** warnings become errors */
  strict?: boolean;
}

export interface Prepared {
  plan: Plan;
  diagnostics: Diagnostic[];
}

const specCache = new Map<string, { key: string; spec: unknown }>();

async function loadSpec(location: string): Promise<unknown> {
  const key = isUrl(location) ? location : String((await stat(localPath(location))).mtimeMs);
  const hit = specCache.get(location);
  if (hit && hit.key === key) return hit.spec;
  const spec = parseYaml(await readText(location), { maxAliasCount: -1 });
  specCache.set(location, { key, spec });
  return spec;
}

/** Read and compile a document; throws DocumentError (with every finding) when it cannot run. */
export async function prepareDocument(docLocation: string, opts: PrepareOptions = {}): Promise<Prepared> {
  const file = displayLocation(docLocation);
  let text: string;
  try {
    text = await readText(docLocation);
  } catch (err) {
    throw new DocumentError([{ severity: 'error', code: 'unreadable', message: `cannot read ${file}: ${(err as Error).message}`, pos: { file } }]);
  }
  const parsed = parseWithPositions(text, file);
  if (parsed.errors.length) throw new DocumentError(parsed.errors);
  const doc = parsed.value as ArazzoDocument;
  const shape = checkShape(doc, file, parsed.locate);
  if (hasErrors(shape)) throw new DocumentError(shape);

  for (const name of Object.keys({ ...opts.sources, ...opts.servers })) {
    if (!doc.sourceDescriptions.some((s) => s?.name === name)) {
      shape.push({ severity: 'error', code: 'unknown-source', message: `--source/--server names "${name}", which is not in sourceDescriptions (${doc.sourceDescriptions.map((s) => s.name).join(', ')})`, pos: parsed.locate(['sourceDescriptions']) });
    }
  }
  if (hasErrors(shape)) throw new DocumentError(shape);

  const sources: Record<string, LoadedSource> = {};
  await Promise.all(
    doc.sourceDescriptions.map(async (sd) => {
      const location = opts.sources?.[sd.name] ?? resolveLocation(docLocation, sd.url);
      const source: LoadedSource = { name: sd.name, type: sd.type ?? 'openapi', location: displayLocation(location) };
      try {
        source.spec = await loadSpec(location);
      } catch (err) {
        source.loadError = (err as Error).message;
      }
      sources[sd.name] = source;
    }),
  );

  const { plan, diagnostics } = compileWorkflow(doc, { file, locate: parsed.locate, workflowId: opts.workflowId, sources, serverOverrides: opts.servers, poll: opts.poll });
  const all = [...shape, ...diagnostics, ...(plan ? lintPlan(plan) : [])];
  const final = opts.strict ? all.map((d) => ({ ...d, severity: 'error' as const })) : all;
  if (!plan || hasErrors(final)) throw new DocumentError(final);
  plan.warnings = final.filter((d) => d.severity === 'warning');
  return { plan, diagnostics: final };
}

/** The minimum structure the compiler relies on; full JSON Schema validation is a separate pass. */
function checkShape(doc: unknown, file: string, locate: (p: (string | number)[]) => Diagnostic['pos']): Diagnostic[] {
  const out: Diagnostic[] = [];
  const err = (message: string, path: (string | number)[], workflowId?: string) =>
    out.push({ severity: 'error', code: 'schema', message, pos: locate(path), ...(workflowId !== undefined && { workflowId }) });
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    err(`${file} is not an Arazzo document (expected a mapping at the top)`, []);
    return out;
  }
  const d = doc as ArazzoDocument;
  if (typeof d.arazzo !== 'string' || !/^1\.\d+\.\d+$/.test(d.arazzo)) err('"arazzo" must be a version string like 1.0.1', ['arazzo']);
  if (!Array.isArray(d.sourceDescriptions) || d.sourceDescriptions.length === 0) err('"sourceDescriptions" must be a non-empty list', ['sourceDescriptions']);
  else
    d.sourceDescriptions.forEach((s, i) => {
      if (!s || typeof s.name !== 'string' || typeof s.url !== 'string') err('a source description needs a name and a url', ['sourceDescriptions', i]);
    });
  if (!Array.isArray(d.workflows) || d.workflows.length === 0) err('"workflows" must be a non-empty list', ['workflows']);
  else
    d.workflows.forEach((w, i) => {
      if (!w || typeof w.workflowId !== 'string') err('a workflow needs a workflowId', ['workflows', i]);
      else if (!Array.isArray(w.steps) || w.steps.length === 0) err(`workflow "${w.workflowId}" needs a non-empty "steps" list`, ['workflows', i, 'steps'], w.workflowId);
      else
        w.steps.forEach((s, j) => {
          if (!s || typeof s !== 'object' || typeof s.stepId !== 'string') err('a step needs a stepId', ['workflows', i, 'steps', j], w.workflowId);
        });
    });
  return out;
}

/** Check a run's inputs against the workflow's inputs schema; throws DocumentError naming each problem. */
export function checkInputs(plan: Plan, inputs: Record<string, unknown>): void {
  const problems = validateInputs(plan, inputs);
  if (problems.length) throw new DocumentError(problems);
}
