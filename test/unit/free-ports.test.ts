// Ports for a test's servers: freePorts gives distinct ones (freePort asked one after another can give the same port
// twice, which once made `npm start` in the README test fail with EADDRINUSE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { freePorts } from '../../src/temporal/dev-server';

test('freePorts gives distinct ports, each free to listen on', async () => {
  const ports = await freePorts(12);
  assert.equal(ports.length, 12);
  assert.equal(new Set(ports).size, 12, `distinct: ${ports.join(', ')}`);
  for (const port of ports) {
    const srv = createServer();
    await new Promise<void>((res, rej) => srv.once('error', rej).listen(port, '127.0.0.1', () => res()));
    await new Promise((res) => srv.close(res));
  }
});
