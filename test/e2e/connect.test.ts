// Connecting anywhere: TLS, mutual TLS and profiles of the Temporal config file, for the worker, the client
// library and the CLI. The dev server speaks no TLS, so a TLS-terminating proxy (node:tls → net) stands in front
// of it, with certificates this test makes with openssl: a CA, a server certificate for 127.0.0.1, a client
// certificate, and a second CA that signed nothing of this server's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';
import { ArazzoClient } from '../../src/client';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { startStack, type Stack } from '../helpers/stack';
import { makeCa, makeLeaf } from '../helpers/tls';

let stack: Stack;
let dir: string;
let proxy: Server; // TLS, any client
let mutual: Server; // TLS, a client certificate signed by the CA required
let worker: WorkerHandle;
const pem = (name: string) => join(dir, name);

function makeCertificates(): void {
  for (const ca of ['ca', 'wrong-ca']) makeCa(dir, ca);
  makeLeaf(
    dir,
    'server',
    'localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  makeLeaf(dir, 'client', 'arazzo-client', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
}

/** A TLS server on a free loopback port that pipes each connection to the dev server's gRPC port. */
function tlsProxy(target: string, requireClientCert: boolean): Promise<Server> {
  const [host, port] = [target.split(':')[0], Number(target.split(':')[1])];
  const server = createTlsServer(
    {
      key: readFileSync(pem('server.key')),
      cert: readFileSync(pem('server.pem')),
      ca: readFileSync(pem('ca.pem')),
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      const upstream = netConnect(port, host);
      socket.pipe(upstream).pipe(socket);
      const close = () => (socket.destroy(), upstream.destroy());
      socket.on('error', close);
      upstream.on('error', close);
    },
  );
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const addressOf = (s: Server) => `127.0.0.1:${(s.address() as AddressInfo).port}`;

before(async () => {
  process.env.ARAZZO_DOCUMENTS = PROJECT_ROOT;
  dir = mkdtempSync(join(tmpdir(), 'arazzo-tls-'));
  makeCertificates();
  stack = await startStack({ inProcessWorker: false });
  proxy = await tlsProxy(stack.server.address, false);
  mutual = await tlsProxy(stack.server.address, true);
  // the worker connects through the TLS proxy only
  worker = await startWorker({ address: addressOf(proxy), tlsCa: pem('ca.pem') });
});
after(async () => {
  await worker?.stop();
  proxy?.close();
  mutual?.close();
  await stack?.stop();
});

function cliWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'arazzo-temporal.js'), ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const seedRun = () => [
  'run',
  'arazzo/openai-batch-job.arazzo.yaml',
  '--inputs',
  'examples/inputs/openai-batch-job.json',
  '--server',
  `openaiApi=${stack.simulator.url}/v1`,
  '--poll-interval',
  '200ms',
  '--json',
];

test('a run over TLS: the worker and the CLI connect through the TLS proxy with the CA given by flag', async () => {
  const r = await cliWith({}, ...seedRun(), '--address', addressOf(proxy), '--tls-ca', pem('ca.pem'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).outputFileId, /^file-/);
});

test('a profile of the Temporal config file (TOML, TEMPORAL_PROFILE); a flag overrides it', async () => {
  const config = join(dir, 'temporal.toml');
  writeFileSync(
    config,
    `[profile.secure]\naddress = "${addressOf(proxy)}"\nnamespace = "default"\n\n[profile.secure.tls]\nserver_ca_cert_path = "${pem('ca.pem')}"\n\n[profile.elsewhere]\naddress = "127.0.0.1:1"\n`,
  );
  const env = { TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'secure' };
  const r = await cliWith(env, ...seedRun());
  assert.equal(r.code, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).outputFileId, /^file-/);
  // --profile picks another profile; --address overrides the profile's address (and TLS stays off there)
  const plain = await cliWith(
    { TEMPORAL_CONFIG_FILE: config },
    'schedule',
    'list',
    '--profile',
    'elsewhere',
    '--address',
    stack.server.address,
  );
  assert.equal(plain.code, 0, plain.stderr);
  const unreachable = await cliWith({ TEMPORAL_CONFIG_FILE: config }, 'schedule', 'list', '--profile', 'elsewhere');
  assert.notEqual(unreachable.code, 0);
  assert.match(unreachable.stderr, /cannot connect to Temporal at 127\.0\.0\.1:1\b/);
});

test('mutual TLS: a client certificate the proxy requires; without it the connection is refused', async () => {
  const client = await ArazzoClient.connect({
    address: addressOf(mutual),
    tlsCa: pem('ca.pem'),
    tlsCert: pem('client.pem'),
    tlsKey: pem('client.key'),
  });
  try {
    assert.ok(Array.isArray(await client.listSchedules()));
  } finally {
    await client.close();
  }
  const r = await cliWith(
    {},
    'schedule',
    'list',
    '--address',
    addressOf(mutual),
    '--tls-cert',
    pem('client.pem'),
    '--tls-key',
    pem('client.key'),
    '--tls-ca',
    pem('ca.pem'),
  );
  assert.equal(r.code, 0, r.stderr);
  const without = await cliWith({}, 'schedule', 'list', '--address', addressOf(mutual), '--tls-ca', pem('ca.pem'));
  assert.notEqual(without.code, 0);
  assert.match(without.stderr, /cannot connect to Temporal at 127\.0\.0\.1:\d+ over TLS/);
  const half = await cliWith({}, 'schedule', 'list', '--address', addressOf(mutual), '--tls-cert', pem('client.pem'));
  assert.match(half.stderr, /needs both --tls-cert and --tls-key/);
});

test('a server certificate from another CA is refused, saying so', async () => {
  const r = await cliWith({}, 'schedule', 'list', '--address', addressOf(proxy), '--tls-ca', pem('wrong-ca.pem'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cannot connect to Temporal at 127\.0\.0\.1:\d+ over TLS: .*not trusted: give its CA with --tls-ca/s);
  await assert.rejects(ArazzoClient.connect({ address: addressOf(proxy), tlsCa: pem('wrong-ca.pem') }), /over TLS.*not trusted/s);
});
