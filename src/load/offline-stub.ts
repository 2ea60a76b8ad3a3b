// validate --offline: a remote source description is not fetched. In its place the compiler gets a stand-in
// OpenAPI description holding exactly the operations the document asks of it (operationIds, operationPaths,
// x-temporal-cancel), so structure, schema, expressions and local references are still checked; what the remote
// description itself says (parameters, servers, whether the operation exists) is reported as "not checked".
import type { ArazzoDocument } from '../core/types';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every step-like object of the document: steps and their x-temporal-cancel. */
function* targets(doc: ArazzoDocument): Generator<{ operationId?: unknown; operationPath?: unknown }> {
  for (const wf of Array.isArray(doc.workflows) ? doc.workflows : []) {
    for (const step of Array.isArray(wf?.steps) ? wf.steps : []) {
      if (!step || typeof step !== 'object') continue;
      yield step as never;
      const cancel = (step as unknown as Record<string, unknown>)['x-temporal-cancel'];
      if (cancel && typeof cancel === 'object') yield cancel as never;
    }
  }
}

/**
 * A stand-in OpenAPI description for the source `name`: the operations the document names in it. A bare
 * operationId goes to the stand-in when no loaded source defines it (`definedElsewhere`) and `name` is the first
 * remote source, so it resolves once, never ambiguously.
 */
export function offlineStub(
  doc: ArazzoDocument,
  name: string,
  firstRemote: boolean,
  definedElsewhere: (operationId: string) => boolean,
): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (path: string, method: string, operationId?: string) => {
    (paths[path] ??= {})[method] = {
      ...(operationId && { operationId }),
      responses: { default: { description: 'not checked (offline)' } },
    };
  };
  for (const t of targets(doc)) {
    if (typeof t.operationId === 'string') {
      const m = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.([^}]+)\}?$/.exec(t.operationId);
      if (m ? m[1] === name : firstRemote && !definedElsewhere(t.operationId)) {
        const id = m ? m[2] : t.operationId;
        add(`/offline/${encodeURIComponent(id)}`, 'post', id);
      }
    }
    if (typeof t.operationPath === 'string') {
      const m = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#\/paths\/([^/]+)\/([a-z]+)$/.exec(t.operationPath);
      if (m && m[1] === name && METHODS.includes(m[3])) add(decodeURIComponent(m[2]).replace(/~1/g, '/').replace(/~0/g, '~'), m[3]);
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: `${name} (not checked: offline)`, version: '0' },
    servers: [{ url: 'https://offline.invalid' }],
    paths,
  };
}
