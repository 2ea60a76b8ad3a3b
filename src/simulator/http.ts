// The small request/response vocabulary shared by the server and the provider modules.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { ApiError, badRequest } from './errors';

export interface SimRequest {
  query: URLSearchParams;
  /** Named groups captured by the route pattern, e.g. { id: 'batch_…' }. */
  params: Record<string, string>;
  /** The incoming message, for reading the body. */
  raw: IncomingMessage;
}

/** A JSON reply, raw bytes (file contents, JSONL results), or a body of known length generated as it is sent. */
export type Reply =
  | { status?: number; json: unknown }
  | { status?: number; bytes: Buffer; contentType: string; headers?: Record<string, string> }
  | { status?: number; stream: () => Readable; length: number; contentType: string; headers?: Record<string, string> };

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Anchored pattern over the path (no query), with named groups for ids. */
  pattern: RegExp;
  /** Creates an object: subject to `dropAfterCreate`. */
  create?: boolean;
  handle(req: SimRequest, now: number): Reply | Promise<Reply>;
}

const MAX_JSON_BYTES = 256 * 1024 * 1024;

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ApiError(413, `Request body exceeds ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON object body. An empty body counts as {} (cancel calls send none). */
export async function readJsonObject(req: SimRequest): Promise<Record<string, unknown>> {
  const text = (await readBody(req.raw, MAX_JSON_BYTES)).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('We could not parse the JSON body of your request. The API expects a JSON payload.');
  }
  if (!isObject(parsed)) throw badRequest('The request body must be a JSON object.');
  return parsed;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An integer query parameter within [min, max], or `fallback` when absent. */
export function intQuery(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badRequest(`Invalid '${name}': expected an integer between ${min} and ${max}, got '${raw}'.`, name);
  }
  return n;
}

/** OpenAI cursor paging: the `limit` items that follow the item whose id is `after`. */
export function pageAfter<T extends { id: string }>(items: T[], after: string | null, limit: number) {
  let start = 0;
  if (after !== null) {
    const i = items.findIndex((x) => x.id === after);
    if (i < 0) throw badRequest(`Invalid 'after': no object with id '${after}'.`, 'after');
    start = i + 1;
  }
  const data = items.slice(start, start + limit);
  return { data, has_more: start + limit < items.length };
}

/** A page as OpenAI's list endpoints answer it: {object: "list", data, first_id, last_id, has_more}. */
export function listReply<T extends { id: string }>(page: { data: T[]; has_more: boolean }) {
  return {
    json: {
      object: 'list',
      data: page.data,
      first_id: page.data[0]?.id ?? null,
      last_id: page.data.at(-1)?.id ?? null,
      has_more: page.has_more,
    },
  };
}
