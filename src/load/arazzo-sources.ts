// Source descriptions of type arazzo: another Arazzo document whose workflows a step, a dependsOn entry or an
// action can run (`$sourceDescriptions.<name>.<workflowId>`). Each is read with positions (its diagnostics name
// file:line), and its own source descriptions are loaded relative to it, recursively; a document reached twice
// is read once. Client side (I/O).
import type { LoadedSource } from '../core/compile';
import type { ArazzoDocument } from '../core/types';
import { checkDocument } from '../core/document-checks';
import { checkDocumentCounts } from '../core/limits';
import type { Diagnostic } from '../core/types';
import { hasErrors } from '../core/diagnostics';
import { parseWithPositions } from './parse-document';
import { validateSchema } from './schema';
import { selfBaseWarning, sourcePlace } from './base-uri';
import { absoluteLocation, displayLocation, readText } from './read-source';

export interface NestedLoadOptions {
  /** parse a source description (the caller's cache) */
  load: (location: string) => Promise<unknown>;
  /** called before a referenced Arazzo document is read; throws to refuse it */
  guard?: (location: string) => Promise<void>;
  /** --source overrides: `<arazzoSource>.<name>` replaces the location of a referenced document's source */
  sourceOverrides?: Record<string, string>;
}

type Nested = NonNullable<LoadedSource['arazzo']>;

/**
 * Fill in `arazzo` (positions and loaded sources) of every Arazzo source description in `sources`, and of theirs,
 * breadth first; each document is read once (references may form cycles).
 */
export async function loadArazzoSources(sources: Record<string, LoadedSource>, opts: NestedLoadOptions): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, Nested | string>();
  const queue: { sources: Record<string, LoadedSource>; prefix: string }[] = [{ sources, prefix: '' }];
  for (let item = queue.shift(); item; item = queue.shift()) {
    for (const source of Object.values(item.sources)) {
      if (source.type !== 'arazzo' || source.spec === undefined) continue;
      const prefix = `${item.prefix}${source.name}.`;
      let nested = seen.get(source.location);
      if (nested === undefined) {
        nested = await readNested(source, opts, prefix, diagnostics);
        seen.set(source.location, nested);
        if (typeof nested !== 'string') queue.push({ sources: nested.sources, prefix });
      }
      if (typeof nested === 'string') {
        source.spec = undefined;
        source.loadError = nested;
      } else {
        source.arazzo = nested;
      }
    }
  }
  return diagnostics;
}

/** Read one Arazzo source description with positions, and load its own source descriptions (not their references). */
async function readNested(
  source: LoadedSource,
  opts: NestedLoadOptions,
  prefix: string,
  diagnostics: Diagnostic[],
): Promise<Nested | string> {
  const location = source.location;
  const file = displayLocation(location);
  let text: string;
  try {
    await opts.guard?.(location);
    text = await readText(location);
  } catch (err) {
    return (err as Error).message;
  }
  const parsed = parseWithPositions(text, file);
  if (parsed.errors.length) return `${parsed.errors[0].message} (${file}:${parsed.errors[0].pos?.line ?? '?'})`;
  const doc = parsed.value as ArazzoDocument;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.workflows))
    return `${file} is not an Arazzo document (it has no workflows list)`;
  // the checks of the root document (src/load/prepare.ts), at this document's own file:line
  const counts = checkDocumentCounts(doc, file, parsed.locate);
  const schema = counts.length ? counts : validateSchema(doc, file, parsed);
  const checks = hasErrors(schema) ? schema : [...schema, ...checkDocument(doc, file, parsed.locate)];
  diagnostics.push(...checks);
  if (hasErrors(checks)) return `${file} has errors (listed above)`;
  source.spec = doc;
  const nested: Nested = { file, locate: parsed.locate, sources: {} };
  await Promise.all(
    (Array.isArray(doc.sourceDescriptions) ? doc.sourceDescriptions : []).map(async (sd, i) => {
      if (!sd || typeof sd.name !== 'string' || typeof sd.url !== 'string') return;
      const place = sourcePlace(location, doc.$self, sd.url, opts.sourceOverrides?.[prefix + sd.name]);
      const where = place.location;
      if (place.warning) diagnostics.push(selfBaseWarning(place.warning, parsed.locate(['sourceDescriptions', i, 'url'])));
      const loaded: LoadedSource = {
        name: sd.name,
        type: sd.type ?? 'openapi',
        location: displayLocation(where),
        url: absoluteLocation(place.identity),
      };
      try {
        loaded.spec = await opts.load(where);
      } catch (err) {
        loaded.loadError = (err as Error).message;
      }
      nested.sources[sd.name] = loaded;
    }),
  );
  return nested;
}
