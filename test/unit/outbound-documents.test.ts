// The outbound policy on what a worker fetches to prepare a run by reference: the document, its source
// descriptions and its overlays, at every redirect hop. Nothing here may leave the machine, not even a request meant
// to be refused: the file re-executes itself in a network namespace with only loopback (`unshare -rn`), where a
// "public" address (203.0.113.10, TEST-NET-3) and the metadata address (169.254.169.254) are put on `lo`. Names are
// resolved by an injected lookup (setResolver), never by DNS. The documents' https server has a certificate made
// here, trusted through NODE_EXTRA_CA_CERTS in the namespace. Traps on the refused addresses record anything that
// reaches them, so "never sent" is checked, not assumed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dns, { type LookupAddress } from 'node:dns';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { prepareRun, setDocumentRoots } from '../../src/activities/prepare-run';
import { setResolver } from '../../src/activities/outbound-policy';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { selfSigned } from '../helpers/tls';

const PUBLIC = '203.0.113.10';
const METADATA = '169.254.169.254';
const INSIDE = process.env.ARAZZO_TEST_NETNS === '1';

if (!INSIDE) {
  test('outbound policy of prepared documents, in a network namespace with only loopback', (t) => {
    const setup = `ip link set lo up && ip addr add ${PUBLIC}/32 dev lo && ip addr add ${METADATA}/32 dev lo`;
    const probe = spawnSync('unshare', ['-rn', 'sh', '-c', setup], { encoding: 'utf8' });
    if (probe.status !== 0) {
      t.skip(
        `cannot create a network namespace here (unshare -rn: ${(probe.stderr || probe.error?.message || '').trim()}); these tests never run outside one`,
      );
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'outbound-docs-'));
    const names = 'subjectAltName=DNS:docs.example,DNS:meta.example,DNS:loop.example,IP:169.254.169.254,IP:127.0.0.1';
    try {
      selfSigned(dir, 'cert', 'docs.example', [names], 1);
    } catch (err) {
      t.skip(`openssl cannot make a test certificate: ${String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim()}`);
      return;
    }
    const script = `${setup} && exec "$0" --import tsx --test --test-reporter=tap --test-concurrency=1 "$1"`;
    const inner = spawnSync('unshare', ['-rn', 'sh', '-c', script, process.execPath, __filename], {
      cwd: PROJECT_ROOT,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')),
        ARAZZO_TEST_NETNS: '1',
        ARAZZO_TEST_CERTS: dir,
        NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'),
      },
      encoding: 'utf8',
      timeout: 300_000,
    });
    for (const line of inner.stdout.split('\n').filter((l) => /^(not )?ok |^# (pass|fail)/.test(l))) t.diagnostic(line);
    assert.equal(inner.status, 0, `the tests in the namespace failed:\n${inner.stdout.slice(-6000)}\n${inner.stderr.slice(-3000)}`);
  });
} else {
  const certs = process.env.ARAZZO_TEST_CERTS as string;
  const tls = { key: readFileSync(join(certs, 'cert.key')), cert: readFileSync(join(certs, 'cert.pem')) };
  const OPENAPI =
    "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://api.example'}]\npaths:\n  /ping:\n    get:\n      operationId: ping\n      responses: {'200': {description: ok}}\n";
  const ARAZZO = (source: string) =>
    `arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n- name: api\n  url: ${source}\n  type: openapi\nworkflows:\n- workflowId: ping\n  steps:\n  - stepId: ping\n    operationId: ping\n    successCriteria:\n    - condition: $statusCode == 200\n    outputs:\n      status: $statusCode\n  outputs:\n    status: $steps.ping.outputs.status\n`;
  const OVERLAY =
    "overlay: 1.0.0\ninfo: {title: o, version: '1'}\nactions:\n- target: $.workflows[0]\n  update:\n    description: overlaid\n";
  const trapped: string[] = [];
  const servers: (http.Server | https.Server)[] = [];
  let port = 0;
  let trapPort = 0;
  const docs = (path: string) => `https://docs.example:${port}${path}`;
  let previousResolver: typeof dns.lookup;

  const listen = async (server: http.Server | https.Server, host: string, at = 0) => {
    await new Promise<void>((r) => server.listen(at, host, r));
    servers.push(server);
    return (server.address() as AddressInfo).port;
  };

  before(async () => {
    const redirects: Record<string, () => string> = {
      '/to-meta': () => `https://meta.example:${trapPort}/latest/meta-data`,
      '/to-metadata-ip': () => `https://${METADATA}:${trapPort}/latest/meta-data`,
      '/to-http': () => `http://docs.example:${port}/doc.arazzo.yaml`,
      '/to-loopback': () => `https://loop.example:${trapPort}/doc.arazzo.yaml`,
      '/to-doc': () => docs('/doc.arazzo.yaml'),
      '/to-overlay-meta': () => `https://meta.example:${trapPort}/o.overlay.yaml`,
    };
    const site = https.createServer(tls, (req, res) => {
      const path = req.url ?? '/';
      if (redirects[path]) return void res.writeHead(302, { location: redirects[path]() }).end();
      if (path === '/openapi.yaml') return void res.writeHead(200).end(OPENAPI);
      if (path === '/doc.arazzo.yaml') return void res.writeHead(200).end(ARAZZO('./openapi.yaml'));
      if (path === '/doc-source-redirect.arazzo.yaml') return void res.writeHead(200).end(ARAZZO(docs('/to-meta')));
      if (path === '/o.overlay.yaml') return void res.writeHead(200).end(OVERLAY);
      res.writeHead(404).end();
    });
    port = await listen(site, PUBLIC);
    // the traps: whatever reaches a refused address, on the port every refused URL here names
    const trap = (req: http.IncomingMessage, res: http.ServerResponse) => {
      trapped.push(`${req.headers.host} ${req.url}`);
      res.writeHead(200).end(ARAZZO('./openapi.yaml'));
    };
    trapPort = await listen(https.createServer(tls, trap), METADATA);
    await listen(https.createServer(tls, trap), '127.0.0.1', trapPort);
    await listen(http.createServer(trap), METADATA, 80);
    previousResolver = setResolver(((
      host: string,
      _options: dns.LookupOptions,
      cb: (e: NodeJS.ErrnoException | null, a: LookupAddress[]) => void,
    ) => {
      const table: Record<string, string> = { 'docs.example': PUBLIC, 'meta.example': METADATA, 'loop.example': '127.0.0.1' };
      if (table[host]) return cb(null, [{ address: table[host], family: 4 }]);
      cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    }) as typeof dns.lookup);
    const root = mkdtempSync(join(tmpdir(), 'outbound-root-'));
    writeFileSync(join(root, 'local.arazzo.yaml'), ARAZZO('./missing.yaml'));
    setDocumentRoots([root]);
  });
  after(async () => {
    setResolver(previousResolver);
    for (const s of servers) s.closeAllConnections?.();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  /** prepareRun's failure: a non-retryable ApplicationFailure. */
  async function refusal(req: Parameters<typeof prepareRun>[0]): Promise<ApplicationFailure> {
    const err = await prepareRun(req).then(
      () => assert.fail(`prepared ${JSON.stringify(req)}`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.nonRetryable, true, err.message);
    return err;
  }

  test('a document on a public address is fetched, through a redirect too, with its relative source', async () => {
    for (const path of ['/doc.arazzo.yaml', '/to-doc']) {
      const prepared = await prepareRun({ document: docs(path) });
      assert.equal(prepared.plan.workflowId, 'ping');
    }
    const overlaid = await prepareRun({ document: docs('/doc.arazzo.yaml'), overlays: [docs('/o.overlay.yaml')] });
    assert.equal(overlaid.plan.workflowId, 'ping');
    assert.deepEqual(trapped, []);
  });

  test('a redirect hop to a name that resolves to the metadata address is refused before it connects', async () => {
    const err = await refusal({ document: docs('/to-meta') });
    assert.equal(err.type, 'ArazzoRefusedDocument');
    assert.match(
      err.message,
      /outbound policy: .*\/to-meta: meta\.example resolves to 169\.254\.169\.254, a link-local or metadata address/,
    );
    assert.deepEqual(trapped, []);
  });

  test('redirect hops to the metadata IP, to plain http and to loopback are refused, each with its reason', async () => {
    const cases: [string, RegExp][] = [
      [
        '/to-metadata-ip',
        /redirects to https:\/\/169\.254\.169\.254:\d+\/latest\/meta-data: 169\.254\.169\.254 is a link-local or metadata address/,
      ],
      ['/to-http', /redirects to http:\/\/docs\.example:\d+\/doc\.arazzo\.yaml: the http: scheme is refused/],
      ['/to-loopback', /loop\.example resolves to 127\.0\.0\.1, a loopback address/],
    ];
    for (const [path, message] of cases) {
      const err = await refusal({ document: docs(path) });
      assert.equal(err.type, 'ArazzoRefusedDocument', err.message);
      assert.match(err.message, message);
    }
    assert.deepEqual(trapped, []);
  });

  test('a source description and an overlay whose URL redirects to a refused address fail the run the same way', async () => {
    const source = await refusal({ document: docs('/doc-source-redirect.arazzo.yaml') });
    assert.equal(source.type, 'ArazzoRefusedDocument', source.message);
    assert.match(source.message, /to-meta: meta\.example resolves to 169\.254\.169\.254/);
    const sources = await refusal({ document: docs('/doc.arazzo.yaml'), sources: { api: docs('/to-loopback') } });
    assert.equal(sources.type, 'ArazzoRefusedDocument', sources.message);
    const overlay = await refusal({ document: docs('/doc.arazzo.yaml'), overlays: [docs('/to-overlay-meta')] });
    assert.equal(overlay.type, 'ArazzoRefusedDocument', overlay.message);
    assert.match(overlay.message, /meta\.example resolves to 169\.254\.169\.254/);
    // a local document whose source is a URL to the metadata address
    const local = await refusal({ document: 'local.arazzo.yaml', sources: { api: `https://${METADATA}:${trapPort}/x.yaml` } });
    assert.equal(local.type, 'ArazzoRefusedDocument', local.message);
    assert.deepEqual(trapped, []);
  });
}
