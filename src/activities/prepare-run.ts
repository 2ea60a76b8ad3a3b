// The prepareRun activity: a run request names a document; read it (under the worker's document roots, or an
// https URL, or inline), validate it with the same checks as `validate`, compile it, apply the inputs' defaults
// and check them. Its result, the plan, is recorded in the run's history. Compiled plans come from the one
// plan cache (src/load/plan-cache.ts), keyed also by the document roots.
import { ApplicationFailure } from '@temporalio/common';
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DocumentError } from '../core/diagnostics';
import { parseDuration } from '../core/durations';
import {
  BAD_START,
  DOCUMENT_CHANGED,
  INVALID_DOCUMENT,
  INVALID_INPUTS,
  REFUSED_DOCUMENT,
  type DocumentRunRequest,
} from '../core/run-request';
import type { PollPolicy } from '../core/types';
import { RefusedLocation, checkUrl, documentFetchPolicy, resolveUnderRoots, rootsFromEnv, rootsGuard } from '../load/document-roots';
import { changedParts, documentParts, sha256 } from '../load/document-pin';
import { checkInputs } from '../load/prepare';
import { planCacheStats, preparePlan } from '../load/plan-cache';
import { parseOverlay, type LoadedOverlay } from '../load/overlays';
import { displayLocation, isUrl, readText, withUrlPolicy } from '../load/read-source';
import type { PreparedRun, RunOptions } from '../core/contract';

export type { PreparedRun };

let configuredRoots: string[] | undefined;

/** The directories this worker process reads documents from (startWorker's documentRoots; else ARAZZO_DOCUMENTS). */
export function setDocumentRoots(roots: string[] | undefined): void {
  configuredRoots = roots?.map((r) => resolve(r));
}

export function documentRoots(): string[] {
  return configuredRoots ?? rootsFromEnv();
}

const SCHEMA_PATH = join(__dirname, '..', '..', 'schemas', 'run-request.schema.json');
let checkShape: ReturnType<Ajv2020['compile']> | undefined;

function shapeProblems(req: unknown): string[] {
  checkShape ??= new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  if (checkShape(req)) return [];
  // oneOf of the document field reports each branch; its own message says it better
  const errors = (checkShape.errors ?? []).filter((e) => !e.instancePath.startsWith('/document') || e.keyword === 'oneOf');
  return errors.map((e) => {
    const at = e.instancePath ? `"${e.instancePath.slice(1).replace(/\//g, '.')}"` : 'the request';
    if (e.keyword === 'additionalProperties')
      return `${at} has an unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    if (e.instancePath === '/document') return `"document" must be a path, an https URL or {"inline": "<yaml>"}`;
    return `${at} ${e.message}`;
  });
}

const fail = (message: string, type: string) => ApplicationFailure.nonRetryable(message.slice(0, 20_000), type);

function runOptions(req: DocumentRunRequest): { options: RunOptions; poll?: Partial<PollPolicy> } {
  const o = req.options ?? {};
  const ms = (v: string | undefined) => (v === undefined ? undefined : `${parseDuration(v)}ms`);
  const options: RunOptions = {};
  if (o.onUnmatched) options.onUnmatched = o.onUnmatched;
  if (o.maxStepRuns) options.maxStepRuns = o.maxStepRuns;
  if (o.continueAsNewAfter) options.continueAsNewAfter = o.continueAsNewAfter;
  if (o.attemptTimeout) options.attemptTimeout = ms(o.attemptTimeout);
  if (o.stepTimeout) options.stepTimeout = ms(o.stepTimeout);
  if (o.heartbeatTimeout) options.heartbeatTimeout = ms(o.heartbeatTimeout);
  if (o.activityTaskQueue) options.activityTaskQueue = o.activityTaskQueue;
  const p = o.poll;
  const poll: Partial<PollPolicy> = {};
  if (p?.interval) poll.initialIntervalMs = parseDuration(p.interval);
  if (p?.maxInterval) poll.maxIntervalMs = parseDuration(p.maxInterval);
  if (p?.timeout) poll.timeoutMs = parseDuration(p.timeout);
  if (p?.backoff) poll.backoff = p.backoff;
  return { options, poll: Object.keys(poll).length ? poll : undefined };
}

/** The request's overlays, read (under the roots, or https URLs the guard lets through) and parsed. */
async function readOverlays(list: string[], roots: string[]): Promise<LoadedOverlay[]> {
  const overlays: LoadedOverlay[] = [];
  for (const where of list) {
    const location = isUrl(where) ? where : await resolveUnderRoots(where, roots);
    if (isUrl(location)) await checkUrl(location);
    const text = await readText(location);
    const parsed = parseOverlay(text, displayLocation(location));
    if (!parsed.overlay) throw new DocumentError(parsed.diagnostics);
    overlays.push(parsed.overlay);
  }
  return overlays;
}

/** Where the document is, and its text. */
async function readDocument(doc: DocumentRunRequest['document'], roots: string[]): Promise<{ location: string; text: string }> {
  if (typeof doc === 'object') {
    // relative source descriptions resolve against the first root (and the guard refuses them without one)
    return { location: join(roots[0] ?? process.cwd(), doc.name ?? 'inline.arazzo.yaml'), text: doc.inline };
  }
  if (isUrl(doc)) {
    await checkUrl(doc);
    return { location: doc, text: await readText(doc) };
  }
  const location = await resolveUnderRoots(doc, roots);
  return { location, text: await readText(location) };
}

interface RequestFiles {
  location: string;
  text: string;
  sources: Record<string, string>;
  overlays: LoadedOverlay[];
}

/** The document, the sources' locations and the overlays of a request; refusals and unreadable files fail at once. */
async function readRequest(req: DocumentRunRequest, roots: string[]): Promise<RequestFiles> {
  try {
    const { location, text } = await readDocument(req.document, roots);
    const sources: Record<string, string> = {};
    for (const [name, where] of Object.entries(req.sources ?? {}))
      sources[name] = isUrl(where) ? where : await resolveUnderRoots(where, roots);
    return { location, text, sources, overlays: await readOverlays(req.overlays ?? [], roots) };
  } catch (err) {
    if (err instanceof RefusedLocation) throw fail(err.message, REFUSED_DOCUMENT);
    if (err instanceof DocumentError) throw fail(err.message, INVALID_DOCUMENT);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES')
      throw fail(`cannot read the document: ${(err as Error).message}`, REFUSED_DOCUMENT);
    throw err; // a URL that cannot be read right now: the activity is tried again
  }
}

/** The compiled plan of the request (src/load/plan-cache.ts: compiled again only when a file it read changed). */
async function compiled(req: DocumentRunRequest, files: RequestFiles, roots: string[], poll: Partial<PollPolicy> | undefined) {
  const { location, text, sources, overlays } = files;
  try {
    return await preparePlan(location, {
      text,
      guard: rootsGuard(roots),
      guardKey: JSON.stringify(['document-roots', roots]),
      workflowId: req.workflow,
      servers: req.servers,
      sources,
      overlays,
      poll,
      strict: req.options?.strict,
    });
  } catch (err) {
    if (err instanceof DocumentError) throw fail(err.message, INVALID_DOCUMENT);
    throw err;
  }
}

export async function prepareRun(req: DocumentRunRequest): Promise<PreparedRun> {
  const problems = shapeProblems(req);
  if (problems.length)
    throw fail(`the run request is not valid (schemas/run-request.schema.json):\n${problems.map((p) => `- ${p}`).join('\n')}`, BAD_START);
  const roots = documentRoots();
  // every URL read below (the document, its sources, referenced documents, overlays) under the outbound policy
  const refusals: string[] = [];
  const refusedFirst = (err: unknown) => {
    if (refusals.length) throw fail(`refused by the outbound policy: ${refusals[0]}`, REFUSED_DOCUMENT);
    throw err;
  };
  const files = await withUrlPolicy(documentFetchPolicy(refusals), () => readRequest(req, roots)).catch(refusedFirst);
  const { location, text } = files;
  const hash = sha256(text);
  if (req.pin && req.pin !== `sha256:${hash}`) {
    const what = req.pinned ? changedParts(req.pinned, documentParts(text)) : [];
    const changed = what.length ? `: ${what.join('; ')}` : '';
    throw fail(
      `${location} changed since it was pinned (${req.pin}, now sha256:${hash})${changed}. Re-create the schedule to run the new version`,
      DOCUMENT_CHANGED,
    );
  }
  const { options, poll } = runOptions(req);
  const entry = await withUrlPolicy(documentFetchPolicy(refusals), () => compiled(req, files, roots, poll)).catch(refusedFirst);
  let inputs: Record<string, unknown>;
  try {
    inputs = checkInputs(entry.plan, req.inputs ?? {}, entry.locate);
  } catch (err) {
    if (err instanceof DocumentError) throw fail(err.message, INVALID_INPUTS);
    throw err;
  }
  return { plan: entry.plan, inputs, options, document: { location, sha256: hash } };
}

/** How many compiled plans are cached (tests). */
export const cachedPlans = () => planCacheStats().size;
