// document → plan: read an Arazzo document and its source descriptions, compile the chosen workflow,
// lint it, and check the run's inputs. Runs in the client (I/O allowed); the result is plain data.
import { compileWorkflow, type CompileResult, type LoadedSource } from '../core/compile';
import { DocumentError, hasErrors } from '../core/diagnostics';
import { lintPlan } from '../core/lint';
import { checkDocument } from '../core/document-checks';
import type { ArazzoDocument, Diagnostic, Locate, Plan, PollPolicy } from '../core/types';
import { parseWithPositions, parseYamlValue, yamlTooDeep as yamlDepth } from './parse-document';
import { LIMITS, aliasLimitMessage, checkDocumentCounts, checkInputLimits, checkPlanLimits, depthLimitMessage } from '../core/limits';
import { selfBaseWarning, sourcePlace } from './base-uri';
import { absoluteLocation, displayLocation, isUrl, localPath, readText, statLocal } from './read-source';
import { applyInputDefaults, requiredParameterProblems, validateInputs } from './inputs';
import { loadArazzoSources } from './arazzo-sources';
import { validateSchema } from './schema';
import { offlineStub } from './offline-stub';
import { summarizeAsyncApi } from './asyncapi';
import { listOperations } from '../core/openapi';
import { applyOverlays, loadOverlay, type LoadedOverlay } from './overlays';
import { useXPath } from '../activities/xpath';

// the client's checks parse xpath criteria
useXPath();

export interface PrepareOptions {
  workflowId?: string;
  /** replace a source description's location: name → path or URL */
  sources?: Record<string, string>;
  /** replace a source description's server URL: name → URL */
  servers?: Record<string, string>;
  poll?: Partial<PollPolicy>;
  /** warnings become errors */
  strict?: boolean;
  /** the document's text, when the caller has read it already (a run request's inline document); docLocation then names it */
  text?: string;
  /** remote (http/https) source descriptions are not fetched; stand-ins hold the operations the document names (validate --offline) */
  offline?: boolean;
  /** called before any file or URL is read (the document, its sources, referenced Arazzo documents); throws to refuse it */
  guard?: (location: string) => Promise<void>;
  /** OpenAPI Overlay 1.0 documents (paths or URLs, or already loaded) applied to the document, in order, before any check */
  overlays?: (string | LoadedOverlay)[];
}

export interface Prepared {
  plan: Plan;
  /** every finding (warnings only: a document with errors is refused) */
  diagnostics: Diagnostic[];
  /** the warnings, as the run's start shows them */
  warnings: Diagnostic[];
  /** where the target workflow sits in the document (['workflows', i]) */
  workflowPath?: (string | number)[];
  /** where each compiled workflow and its steps sit, by workflow key */
  sites: CompileResult['sites'];
  /** positions in the document, for later findings (inputs); not serializable */
  locate?: Locate;
  /** remote source descriptions that were not fetched (offline), so not checked */
  notChecked?: { name: string; location: string }[];
  /** the run's inputs with the schema's defaults applied, once checked (client.prepare) */
  inputs?: Record<string, unknown>;
}

const specCache = new Map<string, { key: string; spec: unknown }>();

async function loadSpec(location: string, type?: string): Promise<unknown> {
  const key = `${type}:${isUrl(location) ? location : String((await statLocal(localPath(location))).mtimeMs)}`;
  const hit = specCache.get(location);
  if (hit && hit.key === key) return hit.spec;
  const text = await readText(location, LIMITS.sourceBytes);
  let parsed: { value?: unknown; tooDeep?: { line: number; column: number } };
  try {
    parsed = type === 'asyncapi' ? { tooDeep: yamlDepth(text) } : parseYamlValue(text, { maxAliasCount: LIMITS.sourceAliases });
  } catch (err) {
    if (/alias count/i.test((err as Error).message))
      throw new Error(`${displayLocation(location)}: ${aliasLimitMessage(LIMITS.sourceAliases)}`);
    throw err;
  }
  const deep = parsed.tooDeep;
  if (deep) throw new Error(`${displayLocation(location)}:${deep.line}:${deep.column}: ${depthLimitMessage('the description')}`);
  if (type === 'asyncapi') return cached(location, key, await summarizeAsyncApi(text, displayLocation(location)));
  return cached(location, key, parsed.value);
}

function cached(location: string, key: string, spec: unknown): unknown {
  specCache.set(location, { key, spec });
  return spec;
}

/** Read and compile a document; throws DocumentError (with every finding) when it cannot run. */
/** The document's text (a guard first, for a worker's outbound policy); unreadable → DocumentError naming the file. */
async function readDocumentText(docLocation: string, file: string, opts: PrepareOptions): Promise<string> {
  try {
    if (opts.text === undefined) await opts.guard?.(docLocation);
    return opts.text ?? (await readText(docLocation));
  } catch (err) {
    if (err instanceof DocumentError) throw err; // over a limit, not UTF-8
    throw new DocumentError([
      { severity: 'error', code: 'unreadable', message: `cannot read ${file}: ${(err as Error).message}`, pos: { file } },
    ]);
  }
}

/** Parsed, overlaid and checked in shape: limits, the JSON Schema, unique ids and cycles, --source/--server names. */
async function shapedDocument(text: string, file: string, opts: PrepareOptions) {
  const parsed = parseWithPositions(text, file);
  if (parsed.errors.length) throw new DocumentError(parsed.errors);
  const doc = await withOverlays(parsed.value as ArazzoDocument, opts.overlays, opts.guard);
  const counts = checkDocumentCounts(doc, file, parsed.locate);
  if (counts.length) throw new DocumentError(counts);
  // The JSON Schema first, so that nothing below meets a malformed document; then unique ids and dependsOn cycles.
  const schema = validateSchema(doc, file, parsed);
  const shape = hasErrors(schema) ? schema : [...schema, ...checkDocument(doc, file, parsed.locate)];
  if (hasErrors(shape)) throw new DocumentError(shape);
  for (const name of Object.keys({ ...opts.sources, ...opts.servers })) {
    // `<arazzoSource>.<name>` names a source description of a referenced Arazzo document
    const first = name.includes('.') ? name.slice(0, name.indexOf('.')) : undefined;
    if (first !== undefined && doc.sourceDescriptions.some((s) => s?.name === first && s.type === 'arazzo')) continue;
    if (!doc.sourceDescriptions.some((s) => s?.name === name)) {
      shape.push({
        severity: 'error',
        code: 'unknown-source',
        message: `--source/--server names "${name}", which is not in sourceDescriptions (${doc.sourceDescriptions.map((s) => s.name).join(', ')})`,
        pos: parsed.locate(['sourceDescriptions']),
      });
    }
  }
  if (hasErrors(shape)) throw new DocumentError(shape);
  return { parsed, doc, shape };
}

/** Every source description, read once (offline: remote OpenAPI ones become stand-ins); referenced Arazzo documents checked. */
async function loadSources(doc: ArazzoDocument, docLocation: string, opts: PrepareOptions, shape: Diagnostic[], locate: Locate) {
  const load = async (location: string, type?: string) => {
    await opts.guard?.(location);
    return loadSpec(location, type);
  };
  const sources: Record<string, LoadedSource> = {};
  // relative urls resolve against the base URI: `$self` (Arazzo 1.1), or where the document was read
  const placeOf = (sd: { name: string; url: string }) => sourcePlace(docLocation, doc.$self, sd.url, opts.sources?.[sd.name]);
  const locationOf = (sd: { name: string; url: string }) => placeOf(sd).location;
  const offline = opts.offline ? doc.sourceDescriptions.filter((sd) => isUrl(locationOf(sd))) : [];
  await Promise.all(
    doc.sourceDescriptions.map(async (sd, i) => {
      const { location, ...place } = placeOf(sd);
      if (place.warning) shape.push(selfBaseWarning(place.warning, locate(['sourceDescriptions', i, 'url'])));
      const source: LoadedSource = {
        name: sd.name,
        type: sd.type ?? 'openapi',
        location: displayLocation(location),
        url: absoluteLocation(place.identity),
      };
      if (offline.includes(sd)) source.loadError = 'not fetched (offline)';
      else {
        try {
          source.spec = await load(location, source.type);
        } catch (err) {
          source.loadError = (err as Error).message;
        }
      }
      sources[sd.name] = source;
    }),
  );
  const remoteOpenApi = offline.filter((sd) => (sd.type ?? 'openapi') === 'openapi');
  const local = Object.values(sources).filter((s) => s.spec !== undefined && s.type === 'openapi');
  const definedElsewhere = (id: string) => local.some((s) => listOperations(s.spec).some((o) => o.operationId === id));
  remoteOpenApi.forEach((sd, i) => (sources[sd.name].spec = offlineStub(doc, sd.name, i === 0, definedElsewhere)));
  // referenced Arazzo documents get the root's schema and document checks, at their own file:line
  shape.push(...(await loadArazzoSources(sources, { load, guard: opts.guard, sourceOverrides: opts.sources })));
  if (hasErrors(shape)) throw new DocumentError(shape);
  return { sources, notChecked: offline.map((sd) => ({ name: sd.name, location: locationOf(sd) })) };
}

export async function prepareDocument(docLocation: string, opts: PrepareOptions = {}): Promise<Prepared> {
  const file = displayLocation(docLocation);
  const text = await readDocumentText(docLocation, file, opts);
  const { parsed, doc, shape } = await shapedDocument(text, file, opts);
  const { sources, notChecked } = await loadSources(doc, docLocation, opts, shape, parsed.locate);
  let compiled: ReturnType<typeof compileWorkflow>;
  let lint: Diagnostic[] = [];
  try {
    compiled = compileWorkflow(doc, {
      file,
      locate: parsed.locate,
      workflowId: opts.workflowId,
      sources,
      serverOverrides: opts.servers,
      poll: opts.poll,
    });
    if (compiled.plan) lint = lintAll(compiled, compiled.plan, { file, locate: parsed.locate, doc }, sources);
  } catch (err) {
    // a document that passed the schema should never get here; report it instead of crashing
    throw new DocumentError([
      ...shape,
      {
        severity: 'error',
        code: 'internal-error',
        message: `the document could not be checked: ${(err as Error).stack ?? String(err)}`,
        pos: { file },
      },
    ]);
  }
  const { plan, diagnostics } = compiled;
  const all = uniqueDiagnostics([
    ...shape,
    ...diagnostics,
    ...lint,
    ...(plan ? checkPlanLimits(plan, compiled.sites[plan.workflowId]) : []),
  ]);
  const final = opts.strict ? all.map((d) => ({ ...d, severity: 'error' as const })) : all;
  if (!plan || hasErrors(final)) throw new DocumentError(final);
  return {
    plan,
    diagnostics: final,
    warnings: final.filter((d) => d.severity === 'warning'),
    workflowPath: compiled.sites[plan.workflowId]?.workflowPath,
    sites: compiled.sites,
    locate: parsed.locate,
    ...(notChecked.length && { notChecked }),
  };
}

/** Lint of the plan and of the other workflows the run can reach, each in its own document, at its own positions. */
function lintAll(
  compiled: CompileResult,
  plan: Plan,
  root: { file: string; locate: Locate; doc: ArazzoDocument },
  sources: Record<string, LoadedSource>,
): Diagnostic[] {
  const lint = lintPlan(plan, compiled.sites[plan.workflowId], root.locate, root.doc);
  for (const [key, sub] of Object.entries(plan.workflows ?? {})) {
    const own = sub.document.file === root.file ? root : nestedDocument(sources, sub.document.file);
    lint.push(...lintPlan(sub, compiled.sites[key], own?.locate, own?.doc));
  }
  return lint;
}

/** A referenced Arazzo document by its file, with its positions: its workflows are linted like the root's. */
function nestedDocument(sources: Record<string, LoadedSource>, file: string): { locate?: Locate; doc: ArazzoDocument } | undefined {
  for (const s of Object.values(sources)) {
    if (!s.arazzo) continue;
    if (s.arazzo.file === file) return { locate: s.arazzo.locate, doc: s.spec as ArazzoDocument };
    const deeper = nestedDocument(s.arazzo.sources, file);
    if (deeper) return deeper;
  }
  return undefined;
}

/** The document with the run's overlays applied; an overlay that cannot be read or applied stops here. */
async function withOverlays(
  doc: ArazzoDocument,
  overlays: PrepareOptions['overlays'],
  guard: PrepareOptions['guard'],
): Promise<ArazzoDocument> {
  if (!overlays?.length) return doc;
  const loaded: LoadedOverlay[] = [];
  const problems: Diagnostic[] = [];
  for (const o of overlays) {
    if (typeof o !== 'string') loaded.push(o);
    else {
      await guard?.(o);
      const r = await loadOverlay(o);
      problems.push(...r.diagnostics);
      if (r.overlay) loaded.push(r.overlay);
    }
  }
  if (hasErrors(problems)) throw new DocumentError(problems);
  const applied = applyOverlays(doc, loaded);
  if (hasErrors(applied.diagnostics)) throw new DocumentError(applied.diagnostics);
  return applied.doc;
}

/** The same finding reported by two checks (e.g. a duplicate stepId) is shown once. */
function uniqueDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = JSON.stringify([d.severity, d.code, d.message, d.pos?.line, d.pos?.column, d.workflowId, d.stepId]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A run's inputs with the defaults of the workflow's inputs schema applied, checked against that schema; throws
 * DocumentError naming each problem.
 */
export function checkInputs(
  plan: Plan,
  inputs: Record<string, unknown>,
  locate?: Locate,
  workflowPath?: (string | number)[],
): Record<string, unknown> {
  const limits = checkInputLimits(plan, inputs);
  if (limits.length) throw new DocumentError(limits);
  const withDefaults = applyInputDefaults(plan, inputs);
  const problems = validateInputs(plan, withDefaults, locate, workflowPath);
  if (!problems.length) problems.push(...requiredParameterProblems(plan, withDefaults));
  if (problems.length) throw new DocumentError(problems);
  return withDefaults;
}
