// What the simulator sends: a route's reply rendered as bytes or a stream, a provider's error body, a log line.
import { maskSecrets } from '../core/mask';
import type { Readable } from 'node:stream';
import { errorBody, type ApiError, type Provider } from './errors';
import type { Reply } from './http';
import type { StoredResponse } from './idempotency';
import type { RequestLogEntry } from './simulator-types';

/** A response to send: bytes, or (large generated file contents) a stream whose length is in content-length. */
export type Outgoing = StoredResponse & { stream?: () => Readable };

export function render(reply: Reply): Outgoing {
  if ('json' in reply) {
    return { status: reply.status ?? 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(reply.json)) };
  }
  if ('stream' in reply) {
    const headers = { 'content-type': reply.contentType, ...reply.headers, 'content-length': String(reply.length) };
    return { status: reply.status ?? 200, headers, body: Buffer.alloc(0), stream: reply.stream };
  }
  return { status: reply.status ?? 200, headers: { 'content-type': reply.contentType, ...reply.headers }, body: reply.bytes };
}

export function errorResponse(provider: Provider, err: ApiError, requestId: string, headers: Record<string, string>): StoredResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(errorBody(provider, err, requestId))),
  };
}

export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function formatLogLine(e: RequestLogEntry): string {
  const parts = [
    `${e.method} ${e.path}${e.query ? `?${e.query}` : ''}`,
    '→',
    e.status === null ? 'no response' : String(e.status),
    `${e.durationMs}ms`,
  ];
  if (e.idempotencyKey !== null) parts.push(`idempotency-key=${e.idempotencyKey}${e.replayed ? ' (replayed)' : ''}`);
  if (e.fault) parts.push(`fault=${e.fault}`);
  // credentials in a query string (api_key=...) or a path are masked; headers are never logged
  return maskSecrets(`[sim ${e.provider}] ${parts.join(' ')}`);
}
