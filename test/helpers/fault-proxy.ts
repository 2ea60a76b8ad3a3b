// A forwarding HTTP proxy in front of the simulator that answers chosen requests itself with scripted
// responses: statuses and headers the simulator's own fault rules do not produce (408, 409, 403, a
// seconds-only Retry-After, an HTTP-date Retry-After, an error message that echoes the credential).
// Every request is logged with its arrival time, whether it was answered by a script or forwarded.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  method: string;
  /** matched against the path without the query */
  path: RegExp;
  /** answer at most this many matching requests (default 1) */
  times?: number;
  status: number;
  /** headers; a function is called when the response is sent (for HTTP-date Retry-After values) */
  headers?: Record<string, string> | ((now: number) => Record<string, string>);
  /** JSON body; a function sees the request headers (to echo a credential) */
  body?: unknown | ((headers: IncomingHttpHeaders) => unknown);
}

export interface ProxyLogEntry {
  /** arrival, ms since the epoch */
  at: number;
  method: string;
  path: string;
  idempotencyKey?: string;
  /** status sent by a script; undefined when forwarded */
  scripted?: number;
  /** response headers a script sent */
  headers?: Record<string, string>;
}

export interface FaultProxy {
  url: string;
  readonly requests: readonly ProxyLogEntry[];
  /** replace the scripts (counters start over) and empty the request log */
  script(responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let scripts: { r: ScriptedResponse; used: number }[] = [];
  const log: ProxyLogEntry[] = [];

  const forward = (req: IncomingMessage, res: http.ServerResponse) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const key = req.headers['idempotency-key'];
    const entry: ProxyLogEntry = { at: Date.now(), method: req.method ?? 'GET', path, idempotencyKey: Array.isArray(key) ? key[0] : key };
    log.push(entry);
    const hit = scripts.find((s) => s.r.method === entry.method && s.r.path.test(path) && s.used < (s.r.times ?? 1));
    if (!hit) return forward(req, res);
    hit.used++;
    const headers = typeof hit.r.headers === 'function' ? hit.r.headers(Date.now()) : (hit.r.headers ?? {});
    const body = typeof hit.r.body === 'function' ? (hit.r.body as (h: IncomingHttpHeaders) => unknown)(req.headers) : hit.r.body;
    entry.scripted = hit.r.status;
    entry.headers = headers;
    req.resume();
    req.on('end', () => {
      res.writeHead(hit.r.status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: log,
    script(responses) {
      scripts = responses.map((r) => ({ r, used: 0 }));
      log.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
