// A run request (schemas/run-request.schema.json) naming a document by location, as the client and schedules send it.
import { resolve } from 'node:path';
import { RUN_REQUEST_VERSION, type DocumentRunRequest } from './core/run-request';
import { documentParts, sha256 } from './load/document-pin';
import { isUrl, localPath, readText } from './load/read-source';
import type { RunOptions } from './workflows/arazzo-workflow';
import type { RunRequest } from './client';

/** The run request (schemas/run-request.schema.json) that names the document of `req`, for a worker to prepare. */
export async function runRequestFor(req: RunRequest, options: RunOptions | undefined, pin?: boolean): Promise<DocumentRunRequest> {
  const place = (where: string) => (isUrl(where) ? where : resolve(localPath(where)));
  const ms = (v: number | undefined) => (v === undefined ? undefined : `${v}ms`);
  const poll = req.poll && {
    interval: ms(req.poll.initialIntervalMs),
    maxInterval: ms(req.poll.maxIntervalMs),
    timeout: ms(req.poll.timeoutMs),
    backoff: req.poll.backoff,
  };
  const request: DocumentRunRequest = {
    version: RUN_REQUEST_VERSION,
    document: place(req.document),
    ...(req.workflowId && { workflow: req.workflowId }),
    inputs: req.inputs ?? {},
    ...(req.servers && Object.keys(req.servers).length && { servers: req.servers }),
    ...(req.sources &&
      Object.keys(req.sources).length && { sources: Object.fromEntries(Object.entries(req.sources).map(([k, v]) => [k, place(v)])) }),
    // overlays travel by location, as the document does: the worker reads them again at every firing
    ...(req.overlays?.length && { overlays: req.overlays.map((o) => place(typeof o === 'string' ? o : o.file)) }),
  };
  const opts = JSON.parse(JSON.stringify({ ...options, strict: req.strict, poll })) as DocumentRunRequest['options'];
  if (opts && Object.keys(opts).length) request.options = opts;
  if (pin) {
    const text = await readText(req.document);
    request.pin = `sha256:${sha256(text)}`;
    request.pinned = documentParts(text);
  }
  return request;
}
