// The small HTTP API of test/fixtures/spec-features/api.openapi.yaml (node:http on a free port), for the
// end-to-end tests of the Arazzo features in test/e2e/spec-features.test.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const XML_ORDER = '<?xml version="1.0"?><order id="7"><status>shipped</status><items><item sku="a" qty="2"/><item sku="b" qty="1"/></items></order>';

export interface SpecApi {
  url: string;
  requests: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body?: unknown }[];
  count(method: string, path: string): number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, value: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? JSON.stringify(value) : String(value);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

export async function startSpecApi(): Promise<SpecApi> {
  const requests: SpecApi['requests'] = [];
  const tokens = new Map<string, number>();
  const counters = new Map<string, number>();
  let orders = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      const method = req.method ?? 'GET';
      const body = method === 'POST' ? await readJson(req) : undefined;
      requests.push({ method, path, headers: req.headers, body });
      let m: RegExpExecArray | null;
      if ((m = /^\/items\/([^/]+)$/.exec(path)) && method === 'GET') {
        const id = decodeURIComponent(m[1]);
        if (id === 'missing') return send(res, 404, { error: { message: `no item ${id}` } });
        return send(res, 200, { id, name: `item-${id}`, price: (Number(id) || 1) * 10 });
      }
      if (path === '/orders' && method === 'POST') return send(res, 201, { orderId: `ord-${++orders}`, ...(body as object) });
      if ((m = /^\/tokens\/([^/]+)$/.exec(path)) && method === 'POST') {
        const n = (tokens.get(m[1]) ?? 0) + 1;
        tokens.set(m[1], n);
        return send(res, 200, { token: `tok-${n}` });
      }
      if ((m = /^\/protected\/([^/]+)$/.exec(path))) {
        const n = Number(/^Bearer tok-(\d+)$/.exec(String(req.headers.authorization ?? ''))?.[1]);
        // the latest token of the key is valid, except the first one, which is born expired
        if (n >= 2 && n === tokens.get(m[1])) return send(res, 200, { ok: true, token: `tok-${n}` });
        return send(res, 401, { error: { message: 'missing, stale or expired token' } });
      }
      if (path === '/slow') {
        const ms = Number(url.searchParams.get('ms') ?? 1000);
        await new Promise((r) => setTimeout(r, ms));
        return send(res, 200, { waited: ms });
      }
      if ((m = /^\/counter\/([^/]+)$/.exec(path))) {
        const key = decodeURIComponent(m[1]);
        const count = (counters.get(key) ?? 0) + 1;
        counters.set(key, count);
        return send(res, 200, { key, count, from: url.searchParams.get('from') });
      }
      if (path === '/xml') return send(res, 200, XML_ORDER, 'application/xml');
      return send(res, 404, { error: { message: `no route ${method} ${path}` } });
    })().catch((err: Error) => send(res, 500, { error: { message: err.message } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (method, path) => requests.filter((r) => r.method === method && r.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
