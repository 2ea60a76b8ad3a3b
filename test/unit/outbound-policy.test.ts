// The outbound policy's decisions, without a network: schemes, hosts, address classes, allow entries, and the
// connect-time lookup with an injected resolver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import {
  OutboundPolicy,
  OutboundRefusedError,
  addressClass,
  configureOutbound,
  parseAllowList,
} from '../../src/activities/outbound-policy';

const policy = (allow: string[] = [], plan = ['https://api.openai.com/v1']) => new OutboundPolicy(plan, parseAllowList(allow));

test('address classes: metadata, link-local, loopback, private; public ones pass', () => {
  for (const ip of ['169.254.169.254', '169.254.0.1', 'fd00:ec2::254', 'fe80::1', '::ffff:169.254.169.254'])
    assert.equal(addressClass(ip), 'link-local or metadata', ip);
  for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(addressClass(ip), 'loopback', ip);
  for (const ip of ['10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '0.0.0.0', 'fc00::1', 'fd12:3456::1', '::', '224.0.0.1'])
    assert.equal(addressClass(ip), 'private or special-purpose', ip);
  for (const ip of ['8.8.8.8', '172.32.0.1', '2606:4700::1111', '1.1.1.1']) assert.equal(addressClass(ip), undefined, ip);
});

test('schemes other than http and https are refused', () => {
  assert.match(policy().urlProblem('file:///etc/passwd')!, /file: scheme is refused/);
  assert.match(policy().urlProblem('ftp://api.openai.com/x')!, /ftp: scheme/);
  assert.match(policy().urlProblem('gopher://api.openai.com/')!, /gopher: scheme/);
  assert.match(policy().urlProblem('not a url')!, /is not a URL/);
  assert.equal(policy().urlProblem('https://api.openai.com/v1/batches'), undefined);
});

test("hosts: the plan's servers and the allowed entries, nothing else", () => {
  assert.match(
    policy().urlProblem('https://evil.example/steal')!,
    /host evil.example is not one of the servers .* \(allowed: api.openai.com\)/,
  );
  assert.equal(policy(['evil.example']).urlProblem('https://evil.example/'), undefined);
  assert.equal(policy(['*.example.com']).urlProblem('https://a.b.example.com/'), undefined);
  assert.match(policy(['*.example.com']).urlProblem('https://example.com.evil/')!, /not one of the servers/);
  assert.equal(policy(['*']).urlProblem('https://anything.test/'), undefined);
  assert.equal(policy().urlProblem('HTTPS://API.OPENAI.COM./v1'), undefined, 'case and a trailing dot do not matter');
});

test("169.254.169.254 as the URL is refused even when it is the plan's own server", () => {
  const p = policy([], ['http://169.254.169.254/latest']);
  assert.match(
    p.urlProblem('http://169.254.169.254/latest/meta-data/')!,
    /169\.254\.169\.254, a link-local or metadata address, is refused/,
  );
  assert.match(p.urlProblem('http://[::ffff:169.254.169.254]/')!, /not one of the servers|link-local/);
  assert.match(policy([], ['http://[fd00:ec2::254]/']).urlProblem('http://[fd00:ec2::254]/latest')!, /link-local or metadata/);
});

test('loopback and private addresses need an IP or CIDR entry; names allowed by entry may be private, never metadata', () => {
  assert.match(policy([], ['http://127.0.0.1:8089']).urlProblem('http://127.0.0.1:8089/v1')!, /loopback address, is refused/);
  assert.equal(policy(['127.0.0.1'], ['http://127.0.0.1:8089']).urlProblem('http://127.0.0.1:8089/v1'), undefined);
  assert.equal(policy(['10.0.0.0/8']).urlProblem('http://10.1.2.3/'), undefined, 'a CIDR entry allows its addresses as hosts too');
  const named = policy(['internal.corp']);
  assert.equal(named.addressProblem('internal.corp', '10.0.0.5'), undefined);
  assert.match(named.addressProblem('internal.corp', '169.254.169.254')!, /internal.corp resolves to 169.254.169.254/);
  assert.equal(policy(['169.254.169.254']).addressProblem('x', '169.254.169.254'), undefined, 'only an explicit IP entry allows metadata');
  assert.match(policy(['*']).addressProblem('any.test', '127.0.0.1')!, /loopback/, '* allows any name, not any address');
});

test('allow entries are validated', () => {
  for (const bad of ['http://x', '10.0.0.0/33', '1.2.3.4/x', 'a b', '*foo', '::1/129'])
    assert.throws(() => parseAllowList([bad]), /--allow-host: ".*" is not an IP address, a CIDR range or a host name/, bad);
  assert.deepEqual(parseAllowList(['a.test, 127.0.0.1', '::1']).entries, ['a.test', '127.0.0.1', '::1']);
});

test('the connect-time lookup refuses a name that resolves to a refused address (DNS rebinding)', async () => {
  const answers: Record<string, LookupAddress[]> = {
    'api.openai.com': [{ address: '169.254.169.254', family: 4 }],
    'ok.test': [{ address: '93.184.216.34', family: 4 }],
    'mixed.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ],
  };
  const { setResolver } = await import('../../src/activities/outbound-policy');
  const previous = setResolver(((host: string, _o: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) =>
    cb(null, answers[host] ?? [])) as never);
  try {
    const reasons: string[] = [];
    const lookup = policy(['ok.test'], ['https://api.openai.com/v1', 'https://mixed.test/']).lookup((why) => reasons.push(why));
    const ask = (host: string, all: boolean) =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) => lookup(host, { all }, (err, address) => resolve({ err, address })));
    const refused = await ask('api.openai.com', false);
    assert.ok(refused.err instanceof OutboundRefusedError);
    assert.match(reasons[0], /api.openai.com resolves to 169.254.169.254/);
    assert.deepEqual(await ask('ok.test', false), { err: null, address: '93.184.216.34' });
    assert.deepEqual((await ask('ok.test', true)).address, [{ address: '93.184.216.34', family: 4 }]);
    assert.deepEqual(
      await ask('mixed.test', true),
      { err: null, address: [{ address: '93.184.216.34', family: 4 }] },
      'only the addresses that pass are connected to',
    );
  } finally {
    setResolver(previous);
  }
});

test("a step's policy is made once per plan servers and allow list, and made again when the allow list changes", () => {
  configureOutbound(['10.1.2.3']);
  const plan = ['https://api.openai.com/v1', 'https://files.example.test/'];
  const first = OutboundPolicy.of(plan);
  assert.equal(OutboundPolicy.of([...plan]), first, 'the same servers: the same policy');
  assert.notEqual(OutboundPolicy.of(['https://api.anthropic.com']), first, 'other servers: another policy');
  assert.equal(first.urlProblem('http://10.1.2.3/x'), undefined);
  configureOutbound([]);
  const after = OutboundPolicy.of(plan);
  assert.notEqual(after, first, 'a new allow list: a new policy');
  assert.match(after.urlProblem('http://10.1.2.3/x')!, /10.1.2.3, a private or special-purpose address, is refused/);
  assert.equal(after.urlProblem('https://files.example.test/a'), undefined);
});

test('a remembered answer is the answer: tricky URLs asked after each other get what a fresh policy says', () => {
  const urls = [
    'https://api.openai.com/v1/batches',
    'https://api.openai.com\\@169.254.169.254/latest',
    'https://api.openai.com#@169.254.169.254/',
    'https://api.openai.com?@10.0.0.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://169.254.169.254:80/x',
    'https://user@api.openai.com/v1',
    'https://API.OPENAI.COM/v1',
    'https://api.openai.com.evil.test/v1',
    'https://api.openai.co\nm/v1',
    'ftp://api.openai.com/x',
    'http://[::1]/x',
    'http://0x7f000001/x',
    'not a url',
  ];
  const warm = policy();
  for (const u of urls) warm.urlProblem(u);
  for (const u of [...urls].reverse()) assert.equal(warm.urlProblem(u), policy().urlProblem(u), u);
  assert.equal(warm.urlProblem('https://api.openai.com/v1/files'), undefined);
  assert.match(warm.urlProblem('http://169.254.169.254/other')!, /link-local or metadata/);
});
