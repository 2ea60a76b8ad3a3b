// The outbound policy against 169.254.169.254, the cloud metadata address: directly, through a 302 from an
// allowed loopback server, and through a host name that resolves to it. Nothing here may leave the machine, not
// even a request meant to be refused: the file re-executes itself in a network namespace with only loopback
// (`unshare -rn`), where 169.254.169.254 is put on `lo` with a trap server behind it. A request the policy
// missed would reach the trap (and nothing else), so "never sent" is checked, not assumed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import dns, { type LookupAddress } from 'node:dns';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { setResolver } from '../../src/activities/outbound-policy';
import { startStack, type Stack } from '../helpers/stack';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server';

const METADATA = '169.254.169.254';
/** Types and messages of an error and its causes, outermost first. */
const failureText = (e: any): string => (e ? `${e.type ?? e.name ?? ''}: ${e.message ?? ''} | ${failureText(e.cause)}` : '');
const INSIDE = process.env.ARAZZO_TEST_NETNS === '1';

if (!INSIDE) {
  test('outbound policy tests, in a network namespace with only loopback', (t) => {
    const probe = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up && ip addr add 169.254.169.254/32 dev lo && ip route'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      t.skip(`cannot create a network namespace here (unshare -rn: ${(probe.stderr || probe.error?.message || '').trim()}); these tests never run outside one`);
      return;
    }
    const script = `ip link set lo up && ip addr add ${METADATA}/32 dev lo && exec "$0" --import tsx --test --test-reporter=tap --test-concurrency=1 "$1"`;
    const inner = spawnSync('unshare', ['-rn', 'sh', '-c', script, process.execPath, __filename], {
      cwd: PROJECT_ROOT,
      // without the parent's NODE_TEST_CONTEXT the inner runner reports (and exits non-zero) on its own
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), ARAZZO_TEST_NETNS: '1' },
      encoding: 'utf8',
      timeout: 600_000,
    });
    for (const line of inner.stdout.split('\n').filter((l) => /^(not )?ok |^# (pass|fail)/.test(l))) t.diagnostic(line);
    assert.equal(inner.status, 0, `the tests in the namespace failed:\n${inner.stdout.slice(-6000)}\n${inner.stderr.slice(-3000)}`);
  });
} else {
  let stack: Stack;
  let api: ScriptedServer;
  let trap: http.Server;
  const trapped: string[] = [];
  let previousResolver: typeof dns.lookup;

  before(async () => {
    // the trap: whatever reaches "the metadata service" in this namespace is recorded
    trap = http.createServer((req, res) => {
      trapped.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"AccessKeyId":"trap"}');
    });
    await new Promise<void>((r) => trap.listen(80, METADATA, r));
    // metadata.example resolves to the metadata address; everything else as usual (loopback only, here)
    previousResolver = setResolver(((host: string, options: dns.LookupOptions, cb: (e: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
      if (host === 'metadata.example') return cb(null, [{ address: METADATA, family: 4 }]);
      dns.lookup(host, { ...options, all: true }, cb);
    }) as typeof dns.lookup);
    stack = await startStack();
    api = await startScriptedServer();
  });
  after(async () => {
    setResolver(previousResolver);
    await api?.close();
    await stack?.stop();
    await new Promise((r) => trap?.close(r));
  });

  const doc = join(PROJECT_ROOT, 'test', 'fixtures', 'retries', 'outbound.arazzo.yaml');

  async function refused(workflowId: string, inputs: Record<string, unknown>, server: string): Promise<string> {
    const before = trapped.length;
    const err = await stack.client.run({ document: doc, workflowId, inputs, servers: { api: server } }).then(
      () => assert.fail('the run succeeded'),
      (e: unknown) => e,
    );
    const text = failureText(err);
    assert.match(text, /request refused by the outbound policy, not sent/);
    assert.equal(trapped.length, before, `the request reached the metadata address: ${trapped.slice(before).join(', ')}`);
    return text;
  }

  test('control: in this namespace the trap answers at the metadata address (a missed refusal would be seen)', async () => {
    const before = trapped.length;
    const body = await new Promise<string>((resolve, reject) => {
      http.get(`http://${METADATA}/latest/meta-data/`, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    assert.match(body, /trap/);
    assert.equal(trapped.length, before + 1);
  });

  test('a server of http://169.254.169.254 is refused directly, without a DNS name', async () => {
    const text = await refused('call', { key: 'k' }, `http://${METADATA}`);
    assert.match(text, /169\.254\.169\.254, a link-local or metadata address, is refused/);
    assert.match(text, /ArazzoOutboundRefused|outbound policy/);
  });

  test('a 302 from an allowed loopback server to 169.254.169.254 is refused at the redirect', async () => {
    const text = await refused('redirect', { to: `http://${METADATA}/latest/meta-data/iam/security-credentials/` }, api.url);
    assert.match(text, /redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam\/security-credentials\/: .*link-local or metadata/);
  });

  test('a host name that resolves to 169.254.169.254 is refused at connect time', async () => {
    const text = await refused('call', { key: 'k' }, 'http://metadata.example');
    assert.match(text, /metadata\.example resolves to 169\.254\.169\.254/);
  });

  test('a redirect to a host that is not a server of the document is refused', async () => {
    const text = await refused('redirect', { to: 'http://metadata.example/latest' }, api.url);
    assert.match(text, /host metadata\.example is not one of the servers/);
  });

  test('a file: server is refused', async () => {
    const err = await stack.client.run({ document: doc, workflowId: 'call', inputs: { key: 'k' }, servers: { api: 'file:///etc' } }).then(
      () => assert.fail('the run succeeded'),
      (e: unknown) => e,
    );
    assert.match(failureText(err), /request refused by the outbound policy, not sent: the file: scheme is refused: only http and https are spoken/);
  });

  test('an allowed loopback server is still reached', async () => {
    const result = await stack.client.run({ document: doc, workflowId: 'call', inputs: { key: 'fine' }, servers: { api: api.url } });
    assert.ok(result.stepRuns >= 1);
    assert.equal(api.hits('fine').length, 1);
  });
}
