// The codec server: Temporal's remote codec protocol over HTTP, so the Web UI and the Temporal CLI
// (`temporal workflow show --codec-endpoint`) can read encrypted history without the server ever holding a key.
//
// Protocol (docs.temporal.io/codec-server, /production-deployment/data-encryption): POST {endpoint}/encode and
// POST {endpoint}/decode, each with the JSON body {"payloads": [...]} in proto3 JSON (metadata values and data
// base64), answered in the same shape; the caller names its namespace in the X-Namespace header, and the routes are
// also served under a namespace segment (/{namespace}/decode) for the CLI's endpoint templating. The Web UI calls it
// from the browser, so it answers CORS preflights for the allowed origins.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload } from '@temporalio/common';
import type { AesGcmCodec } from './aes-gcm';

export interface CodecServerOptions {
  codec: AesGcmCodec;
  port?: number;
  /** default 127.0.0.1: whoever reaches the codec server can read every payload */
  host?: string;
  /** browser origins allowed to call it (the Web UI's), or ['*'] */
  origins: string[];
  /** when set, only requests whose X-Namespace (or path segment) is one of these */
  namespaces?: string[];
  /** request body limit (default 32 MiB) */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface CodecServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, `request body over ${limit} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** /encode, /decode, /{namespace}/encode, /{namespace}/decode → the operation and the path's namespace. */
function route(url: string): { op: 'encode' | 'decode'; namespace?: string } | undefined {
  const path = url.split('?')[0].replace(/\/+$/, '');
  const m = /^(?:\/([^/]+))?\/(encode|decode)$/.exec(path);
  return m ? { op: m[2] as 'encode' | 'decode', namespace: m[1] ? decodeURIComponent(m[1]) : undefined } : undefined;
}

/** CORS for the Web UI's origin; true when the request was a preflight, answered here. */
function corsAnswered(req: IncomingMessage, res: ServerResponse, origins: string[]): boolean {
  const asked = req.headers.origin;
  const origin = asked && (origins.includes('*') || origins.includes(asked)) ? asked : undefined;
  if (asked && !origin) throw new HttpError(403, `origin ${asked} is not allowed (codec-server --ui-origin)`);
  if (origin) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  }
  if (req.method !== 'OPTIONS') return false;
  res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
  res.setHeader('Access-Control-Max-Age', '600');
  res.writeHead(204).end();
  return true;
}

/** The request's {"payloads": [...]}, or a 400 (413 over the limit). */
async function readPayloads(req: IncomingMessage, limit: number): Promise<Payload[]> {
  let body: { payloads?: unknown };
  try {
    body = JSON.parse(await readBody(req, limit));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'the body must be JSON: {"payloads": [...]}');
  }
  if (!body || !Array.isArray(body.payloads)) throw new HttpError(400, 'the body must be JSON: {"payloads": [...]}');
  return (body.payloads as JsonPayload[]).map(fromJson);
}

export function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const limit = opts.maxBodyBytes ?? 32 * 1024 * 1024;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (corsAnswered(req, res, opts.origins)) return;
    const r = route(req.url ?? '/');
    if (!r) throw new HttpError(404, 'not found: POST /encode or /decode');
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed: POST only');
    const header = req.headers['x-namespace'];
    const namespace = r.namespace ?? (Array.isArray(header) ? header[0] : header);
    if (opts.namespaces?.length && !opts.namespaces.includes(namespace ?? ''))
      throw new HttpError(403, `namespace ${namespace ?? '(none)'} is not served here`);
    const payloads = await readPayloads(req, limit);
    const out = r.op === 'encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ payloads: out.map(toJson) }));
    opts.log?.(`${r.op} ${payloads.length} payload(s) for namespace ${namespace ?? '(none)'}`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 422;
      // codec errors name key ids only, never key material or payload content
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message }));
      opts.log?.(`${req.method} ${req.url}: ${status} ${message}`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
