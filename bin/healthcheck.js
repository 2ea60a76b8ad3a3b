#!/usr/bin/env node
// The worker image's HEALTHCHECK: exit 0 when the Temporal frontend the worker uses ($TEMPORAL_ADDRESS, default
// localhost:7233) accepts a TCP connection within 4 s, else 1. The worker serves no port of its own; a worker that
// has died ends the container (it is PID 1's only child), so what is left to check is its way to the server.
'use strict';
const { connect } = require('node:net');

const address = process.env.TEMPORAL_ADDRESS || 'localhost:7233';
const at = address.lastIndexOf(':');
const host = at > 0 ? address.slice(0, at).replace(/^\[|\]$/g, '') : address;
const port = at > 0 ? Number(address.slice(at + 1)) : 7233;
const socket = connect({ host, port });
const fail = (why) => {
  process.stderr.write(`unhealthy: Temporal frontend ${address}: ${why}\n`);
  process.exit(1);
};
socket.setTimeout(4000, () => fail('no connection within 4 s'));
socket.once('connect', () => {
  socket.end();
  process.exit(0);
});
socket.once('error', (err) => fail(err.message));
