// A small, generic HTTP API for the conformance suite (node:http on a free port). Every endpoint is
// described in ./openapi.yaml. State (jobs, counters, flaky keys) is keyed by names the cases choose,
// so cases can run concurrently against one server.
//
//   ANY  /echo[/...]          the request as JSON: method, path, query, headers, cookies, body (JSON, form,
//                             multipart with files, or text); response headers X-Echo-Method, X-Trace-Id
//   GET  /data                a fixed JSON document with awkward keys (a/b, m~n, hyphen-key), arrays, nulls
//   GET  /status/{code}       that HTTP status, body {code}; ?retryAfter=N adds Retry-After: N
//   POST /jobs                create a job {id?, pollsUntilDone?, final?}: 201 {id, status: queued}
//   GET  /jobs/{id}           running until the pollsUntilDone-th GET, then `final` (default done) with a result
//   GET  /flaky/{key}         ?failures=N&code=C: the first N calls per key answer C (default 423), then 200
//   GET  /counter/{key}       counts calls per key: {key, count}
//   GET  /xml, /text, /jsonl  an XML order, plain text, JSON lines
//   GET  /rawquery[/...]      the query string as it arrived: {search, query} (described in ./openapi-3.2.yaml)
import busboy from 'busboy';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestApi {
  url: string;
  /** every request received, in order */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

interface Job {
  id: string;
  pollsUntilDone: number;
  final: string;
  polls: number;
}

export const DATA = {
  'a/b': 'slash',
  'm~n': 'tilde',
  'hyphen-key': 'hyphen',
  status: 'Completed',
  count: '42',
  total: 7,
  nothing: null,
  flags: { enabled: true, ratio: 0.5 },
  items: [
    { id: 1, name: 'one', tags: ['x'] },
    { id: 2, name: 'two', tags: [] },
    { id: 3, name: 'three', tags: ['x', 'y'] },
  ],
  nested: { deep: { value: 'found' } },
};

export const XML = '<?xml version="1.0"?><order id="7"><status>shipped</status><items><item sku="a" qty="2"/><item sku="b" qty="1"/></items></order>';
export const TEXT = 'hello conformance';
export const JSONL = '{"n":1,"ok":true}\n{"n":2,"ok":false}\n';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface Multipart {
  fields: Record<string, string>;
  files: Record<string, { filename?: string; contentType: string; content: string }>;
}

function parseMultipart(req: IncomingMessage): Promise<Multipart> {
  return new Promise((resolve, reject) => {
    const form: Multipart = { fields: {}, files: {} };
    const parser = busboy({ headers: req.headers });
    parser.on('field', (name, value) => (form.fields[name] = value));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (form.files[name] = { filename: info.filename, contentType: info.mimeType, content: Buffer.concat(chunks).toString('utf8') }));
    });
    parser.on('error', reject);
    parser.on('close', () => resolve(form));
    req.pipe(parser);
  });
}

async function body(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'multipart/form-data') return parseMultipart(req);
  const raw = (await readBody(req)).toString('utf8');
  if (!raw) return null;
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw));
  if (type.includes('json')) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

function cookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return out;
}

function send(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendText(res: ServerResponse, type: string, text: string): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startTestApi(port = 0): Promise<TestApi> {
  const jobs = new Map<string, Job>();
  const counters = new Map<string, number>();
  const flaky = new Map<string, number>();
  const requests: TestApi['requests'] = [];
  let nextJob = 1;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    requests.push({ method, path });
    const query = Object.fromEntries(url.searchParams);
    let m: RegExpExecArray | null;

    if (path === '/echo' || path.startsWith('/echo/')) {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
      return send(
        res,
        200,
        { method, path, query, headers, cookies: cookies(req.headers.cookie), contentType: headers['content-type'] ?? null, body: await body(req) },
        { 'X-Echo-Method': method, 'X-Trace-Id': 'trace-0042' },
      );
    }
    // the query string exactly as it arrived (in: querystring, Arazzo 1.1 / OpenAPI 3.2), and as pairs
    if (path.startsWith('/rawquery')) return send(res, 200, { search: url.search, query });
    if (path === '/data' && method === 'GET') return send(res, 200, DATA, { 'X-Rate-Limit-Remaining': '7', ETag: '"v1"' });
    if ((m = /^\/status\/(\d{3})$/.exec(path))) {
      const code = Number(m[1]);
      return send(res, code, { code, message: `status ${code}` }, query.retryAfter !== undefined ? { 'Retry-After': query.retryAfter } : {});
    }
    if (path === '/jobs' && method === 'POST') {
      const spec = ((await body(req)) ?? {}) as Partial<Job>;
      const id = typeof spec.id === 'string' ? spec.id : `job-${nextJob++}`;
      jobs.set(id, { id, pollsUntilDone: Number(spec.pollsUntilDone ?? 2), final: String(spec.final ?? 'done'), polls: 0 });
      return send(res, 201, { id, status: 'queued' });
    }
    if ((m = /^\/jobs\/([^/]+)$/.exec(path)) && method === 'GET') {
      const job = jobs.get(decodeURIComponent(m[1]));
      if (!job) return send(res, 404, { error: { message: `no job ${m[1]}` } });
      job.polls++;
      const finished = job.polls >= job.pollsUntilDone;
      const status = finished ? job.final : 'running';
      return send(res, 200, { id: job.id, status, polls: job.polls, ...(finished && job.final === 'done' ? { result: { value: 42 } } : {}) });
    }
    if ((m = /^\/flaky\/([^/]+)$/.exec(path))) {
      const key = decodeURIComponent(m[1]);
      const attempt = (flaky.get(key) ?? 0) + 1;
      flaky.set(key, attempt);
      if (attempt <= Number(query.failures ?? 1)) {
        return send(res, Number(query.code ?? 423), { attempt, ok: false }, query.retryAfter !== undefined ? { 'Retry-After': query.retryAfter } : {});
      }
      return send(res, 200, { attempt, ok: true });
    }
    if ((m = /^\/counter\/([^/]+)$/.exec(path))) {
      const key = decodeURIComponent(m[1]);
      const count = (counters.get(key) ?? 0) + 1;
      counters.set(key, count);
      return send(res, 200, { key, count });
    }
    if (path === '/xml') return sendText(res, 'application/xml', XML);
    if (path === '/text') return sendText(res, 'text/plain; charset=utf-8', TEXT);
    if (path === '/jsonl') return sendText(res, 'application/jsonl', JSONL);
    return send(res, 404, { error: { message: `no route ${method} ${path}` } });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => send(res, 500, { error: { message: err.message } }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (require.main === module) {
  void startTestApi(Number(process.argv[2] ?? 0)).then((api) => process.stdout.write(`conformance test API on ${api.url}\n`));
}
