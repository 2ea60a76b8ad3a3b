// The counter service of test/fixtures/loops/counter-openapi.yaml, used by the continue-as-new test and the
// bench: POSTs honour Idempotency-Key, so a run that reused a key would stop counting.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CounterServer {
  url: string;
  log: { keys: Set<string>; replays: number; requests: number };
  close(): Promise<void>;
}

export async function startCounterServer(): Promise<CounterServer> {
  const counters = new Map<string, { id: string; value: number; increments: number; reads: number; checks: number }>();
  const stored = new Map<string, string>();
  const log = { keys: new Set<string>(), replays: 0, requests: 0 };
  const server = http.createServer((req, res) => {
    log.requests++;
    const url = new URL(req.url ?? '/', 'http://counter');
    const key = req.headers['idempotency-key'] as string | undefined;
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      if (req.method === 'POST' && key) stored.set(`${url.pathname} ${key}`, `${status} ${text}`);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    };
    req.resume();
    if (req.method === 'POST' && key) {
      log.keys.add(key);
      const hit = stored.get(`${url.pathname} ${key}`);
      if (hit) {
        log.replays++;
        const [status, ...rest] = hit.split(' ');
        return void res.writeHead(Number(status), { 'content-type': 'application/json', 'idempotent-replayed': 'true' }).end(rest.join(' '));
      }
    }
    const m = /^\/counters(?:\/([^/]+))?(\/increment|\/check)?$/.exec(url.pathname);
    const c = m?.[1] ? counters.get(m[1]) : undefined;
    if (req.method === 'POST' && m && !m[1]) {
      const id = `ctr_${counters.size + 1}`;
      counters.set(id, { id, value: 0, increments: 0, reads: 0, checks: 0 });
      return send(201, counters.get(id));
    }
    if (!c) return send(404, { error: { message: 'no such counter' } });
    if (req.method === 'POST' && m?.[2] === '/increment') {
      c.value++;
      c.increments++;
      return send(200, c);
    }
    if (req.method === 'GET' && m?.[2] === '/check') {
      c.checks++;
      return send(200, { ...c, done: c.value >= Number(url.searchParams.get('target')) });
    }
    if (req.method === 'GET' && !m?.[2]) {
      c.reads++;
      return send(200, c);
    }
    send(404, { error: { message: 'not found' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}
