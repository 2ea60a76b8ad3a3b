// OpenAPI Overlay 1.0 (https://spec.openapis.org/overlay/v1.0.0.html) applied to an Arazzo document, so that what
// this project adds to a user's document (x-temporal-cancel, x-temporal-reconcile, x-temporal-poll) lives beside it
// and the document itself stays as the user wrote it. An overlay is `overlay: 1.0.0`, `info: {title, version}` and
// `actions: [{target: <RFC 9535 JSONPath>, update: <value> | remove: true, description?}]`, applied in order:
// `update` merges an object into every object the target selects (objects recursively, other values replace) or
// appends to every array it selects; `remove: true` removes every selected node. A target that selects nothing is an
// error here (the Overlay spec lets it pass silently; a cancel operation that silently did not apply is worse).
import { exec, type JsonValue } from '../core/jsonpath-rfc9535';
import type { Diagnostic } from '../core/types';
import { parseWithPositions } from './parse-document';
import { displayLocation, readText } from './read-source';

export interface OverlayAction {
  target: string;
  description?: string;
  update?: unknown;
  remove?: boolean;
}

export interface LoadedOverlay {
  /** where it was read from, as messages show it */
  file: string;
  overlay: { overlay: string; info?: { title?: string; version?: string }; actions: OverlayAction[] };
  /** position of action i (its target), for messages */
  locate: (actionIndex: number, key?: string) => { file: string; line?: number; column?: number };
}

const overlayError = (message: string, pos: Diagnostic['pos'], code = 'bad-overlay'): Diagnostic => ({
  severity: 'error',
  code,
  message,
  pos,
});

/** Parse and check an overlay document; errors name file:line. */
export function parseOverlay(text: string, file: string): { overlay?: LoadedOverlay; diagnostics: Diagnostic[] } {
  const parsed = parseWithPositions(text, file);
  if (parsed.errors.length) return { diagnostics: parsed.errors };
  const v = parsed.value as Record<string, unknown> | undefined;
  const diagnostics: Diagnostic[] = [];
  if (!v || typeof v !== 'object' || Array.isArray(v))
    return { diagnostics: [overlayError(`${file} is not an Overlay document (an object with overlay, info, actions)`, { file })] };
  if (typeof v.overlay !== 'string' || !/^1\.0\.\d+$/.test(v.overlay))
    diagnostics.push(
      overlayError(`overlay: expected a 1.0.x version such as "1.0.0", got ${JSON.stringify(v.overlay)}`, parsed.locate(['overlay'])),
    );
  if (!v.info || typeof v.info !== 'object') diagnostics.push(overlayError('info (with title and version) is required', parsed.locate([])));
  if (!Array.isArray(v.actions) || v.actions.length === 0)
    diagnostics.push(overlayError('actions must be a non-empty list', parsed.locate(['actions'])));
  (Array.isArray(v.actions) ? v.actions : []).forEach((a: unknown, i: number) => {
    const at = parsed.locate(['actions', i]);
    if (!a || typeof a !== 'object')
      return diagnostics.push(overlayError(`actions[${i}] must be an object with target and update or remove`, at));
    const action = a as Record<string, unknown>;
    if (typeof action.target !== 'string' || !action.target.startsWith('$'))
      diagnostics.push(
        overlayError(
          `actions[${i}].target must be a JSONPath such as $.workflows[0].steps[?@.stepId == 'createBatch']`,
          parsed.locate(['actions', i, 'target']),
        ),
      );
    if (action.update === undefined && action.remove !== true)
      diagnostics.push(overlayError(`actions[${i}] needs update or remove: true`, at));
    if (action.update !== undefined && action.remove === true)
      diagnostics.push(overlayError(`actions[${i}] has both update and remove`, at));
  });
  if (diagnostics.length) return { diagnostics };
  return {
    overlay: { file, overlay: v as unknown as LoadedOverlay['overlay'], locate: (i, key = 'target') => parsed.locate(['actions', i, key]) },
    diagnostics,
  };
}

/** Read an overlay from a file or URL. */
export async function loadOverlay(location: string): Promise<{ overlay?: LoadedOverlay; diagnostics: Diagnostic[] }> {
  const file = displayLocation(location);
  let text: string;
  try {
    text = await readText(location);
  } catch (err) {
    return { diagnostics: [overlayError(`cannot read overlay ${file}: ${(err as Error).message}`, { file }, 'unreadable')] };
  }
  return parseOverlay(text, file);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(target: Record<string, unknown>, update: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(update)) {
    if (isObject(v) && isObject(target[k])) merge(target[k] as Record<string, unknown>, v);
    else target[k] = structuredClone(v);
  }
}

/**
 * Apply overlays in order to a copy of `doc` (any parsed document: Arazzo here, OpenAPI works the same). Returns the
 * result and a diagnostic for every action whose target matches nothing, cannot be parsed, or cannot be updated.
 */
export function applyOverlays<T>(doc: T, overlays: LoadedOverlay[]): { doc: T; diagnostics: Diagnostic[] } {
  const out = structuredClone(doc) as unknown as JsonValue;
  const diagnostics: Diagnostic[] = [];
  for (const ov of overlays) {
    ov.overlay.actions.forEach((action, i) => {
      const pos = ov.locate(i);
      const where = `overlay ${ov.file}, actions[${i}]${action.description ? ` (${action.description})` : ''}`;
      const found: (string | number)[][] = [];
      try {
        exec(out, action.target, (_v, p) => found.push([...(p as (string | number)[])]));
      } catch (err) {
        diagnostics.push(
          overlayError(`${where}: target ${action.target} is not a valid RFC 9535 JSONPath: ${(err as Error).message}`, pos),
        );
        return;
      }
      if (!found.length) {
        diagnostics.push(
          overlayError(`${where}: target ${action.target} matches nothing in the document`, pos, 'overlay-target-unmatched'),
        );
        return;
      }
      const at = (path: (string | number)[]) => path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], out);
      if (action.remove === true) {
        // deepest and last first, so earlier indices stay valid
        for (const path of found.reverse()) {
          const parent = at(path.slice(0, -1));
          const key = path[path.length - 1];
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else if (isObject(parent)) delete parent[key as string];
        }
        return;
      }
      for (const path of found) {
        const node = at(path);
        if (Array.isArray(node)) node.push(structuredClone(action.update));
        else if (isObject(node) && isObject(action.update)) merge(node, action.update);
        else
          diagnostics.push(
            overlayError(
              `${where}: target ${action.target} selects ${JSON.stringify(path)}, which ${isObject(node) ? 'is an object; update must be an object' : 'is not an object or array'}`,
              ov.locate(i, 'update'),
            ),
          );
      }
    });
  }
  return { doc: out as unknown as T, diagnostics };
}
