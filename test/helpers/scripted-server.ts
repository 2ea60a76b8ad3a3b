// A plain JSON server whose answers a test scripts per key, for the retry and outbound tests:
//   GET /jobs/{key}   {status: 'pending'|'done', polls}: 'done' from poll `doneAfter` on (default 3)
//   GET /calls/{key}  the scripted answers in turn, then 200 {ok: true, calls}
//   GET /redirect?to=<url>  302 to `to`
// Every request is recorded with its time, so a test can check the waits between attempts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  status: number;
  /** header values; a function is called when the answer is sent (for times relative to now) */
  headers?: Record<string, string | (() => string)>;
  body?: unknown;
}

export interface ScriptedServer {
  url: string;
  script(key: string, answers: ScriptedAnswer[]): void;
  doneAfter(key: string, polls: number): void;
  /** when each request for a key (or '/redirect') arrived (ms since epoch) */
  hits(key: string): number[];
  close(): Promise<void>;
}

export async function startScriptedServer(host = '127.0.0.1'): Promise<ScriptedServer> {
  const scripts = new Map<string, ScriptedAnswer[]>();
  const done = new Map<string, number>();
  const hits = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://scripted');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (url.pathname === '/redirect') {
      hits.set('/redirect', [...(hits.get('/redirect') ?? []), Date.now()]);
      return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    }
    const m = /^\/(jobs|calls)\/([^/]+)$/.exec(url.pathname);
    if (!m) return json(404, { error: { message: 'not found' } });
    const key = decodeURIComponent(m[2]);
    const times = hits.get(key) ?? [];
    times.push(Date.now());
    hits.set(key, times);
    if (m[1] === 'jobs') {
      const polls = times.length;
      return json(200, { status: polls >= (done.get(key) ?? 3) ? 'done' : 'pending', polls });
    }
    const next = scripts.get(key)?.shift();
    if (!next) return json(200, { ok: true, calls: times.length });
    const headers = Object.fromEntries(Object.entries(next.headers ?? {}).map(([k, v]) => [k, typeof v === 'function' ? v() : v]));
    json(next.status, next.body ?? { error: { message: `scripted ${next.status}` } }, headers);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    script: (key, answers) => void scripts.set(key, [...answers]),
    doneAfter: (key, polls) => void done.set(key, polls),
    hits: (key) => [...(hits.get(key) ?? [])],
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
