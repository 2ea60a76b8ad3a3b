// The provider simulator: one node:http server imitating the OpenAI Files/Batches/Fine-tuning APIs (paths under
// /v1), the Anthropic Message Batches API (/v1/messages/batches…) and a Bifrost gateway in front of both (/bifrost/v1/…,
// bifrost.ts). This file holds the HTTP plumbing: faults, idempotency, the request log (authentication: auth.ts);
// the provider modules hold the state machines.
import { maskSecrets } from '../core/mask';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MessageBatch } from './anthropic-batches';
import { acceptedKeys, authenticate, header, providerOf } from './auth';
import { ApiError, errorBody, type Provider } from './errors';
import { FaultInjector, faultError, type FaultKind, type FaultOptions } from './faults';
import type { Reply, SimRequest } from './http';
import { IdempotencyCache, type StoredResponse } from './idempotency';
import type { OpenAIBatch } from './openai-batches';
import type { OpenAIFile } from './openai-files';
import type { FineTuningJob } from './openai-fine-tuning';
import type { OutcomeOverrides, SimConfig } from './outcomes';
import { SimState } from './state';
import { resolveTiming, TIMING_PRESETS, type TimingInput } from './timing';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted API keys. Default: env SIMULATOR_API_KEYS (comma-separated), else any non-empty key. */
  apiKeys?: string[];
  /** A preset ('fast' for tests, 'demo' ≈ a minute per lifecycle; default 'demo') or durations over 'demo'. */
  timing?: TimingInput;
  faults?: FaultOptions;
  /** Server-wide forced outcomes (see outcomes.ts for the per-request triggers). */
  outcome?: OutcomeOverrides;
  /**
   * Replay the stored response for a repeated `Idempotency-Key` (see idempotency.ts). Default false: neither
   * OpenAI nor Anthropic documents honouring that header (no mention in the OpenAI API reference or the Anthropic
   * API reference; notes/providers.md §1), so by default a retried create creates again, as it would there.
   */
  honourIdempotencyKey?: boolean;
  /** Receives one line per request. Never includes credentials. */
  log?: (line: string) => void;
}

export interface RequestLogEntry {
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  path: string;
  /** The raw query string, without '?' ('' when none). */
  query: string;
  provider: Provider;
  requestId: string;
  idempotencyKey: string | null;
  /** Status sent; null when the connection was dropped without a response. */
  status: number | null;
  /** The injected fault, if any. */
  fault: FaultKind | 'drop_after_create' | null;
  /** True when the request was processed (a create stored its object), whatever was sent back. */
  committed: boolean;
  /** True when the response was an idempotent replay. */
  replayed: boolean;
  durationMs: number;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:PORT — OpenAI base URL is `${url}/v1`, Anthropic base URL is `url`. */
  url: string;
  port: number;
  /** Every request so far, oldest first (live array; emptied by reset()). */
  readonly requests: readonly RequestLogEntry[];
  /** Number of logged requests with this method whose path matches (a string must match exactly). */
  count(method: string, path: RegExp | string): number;
  /** Forgets all objects, the request log and stored idempotent responses; keeps timing, faults and outcomes. */
  reset(): void;
  /** Current objects, as the API would return them. */
  state: {
    files(): OpenAIFile[];
    batches(): OpenAIBatch[];
    fineTuningJobs(): FineTuningJob[];
    messageBatches(): MessageBatch[];
  };
  /** Applies to objects created afterwards (and to cancels requested afterwards). A partial merges over the current timing. */
  setTiming(timing: TimingInput): void;
  /** Replaces the fault configuration (rule counters, seed and dropAfterCreate start over). */
  setFaults(faults: FaultOptions): void;
  setOutcome(outcome: OutcomeOverrides): void;
  /** Turns replaying of repeated Idempotency-Keys on or off (see SimulatorOptions.honourIdempotencyKey). */
  setHonourIdempotencyKey(honour: boolean): void;
  close(): Promise<void>;
}

/** A response to send: bytes, or (large generated file contents) a stream whose length is in content-length. */
type Outgoing = StoredResponse & { stream?: () => Readable };

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const config: SimConfig = { timing: resolveTiming(opts.timing ?? 'demo', TIMING_PRESETS.demo), outcome: { ...opts.outcome }, baseUrl: '' };
  const apiKeys = acceptedKeys(opts.apiKeys);
  let state = new SimState(config);
  let idempotency = new IdempotencyCache();
  let faults = new FaultInjector(opts.faults);
  let honourIdempotencyKey = opts.honourIdempotencyKey === true;
  const log: RequestLogEntry[] = [];
  let seq = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const provider = providerOf(url.pathname);
    const entry: RequestLogEntry = {
      seq: ++seq,
      time: new Date(started).toISOString(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: maskSecrets(url.search).replace(/^\?/, ''),
      provider,
      requestId: state.ids.next('req_'),
      idempotencyKey: header(req, 'idempotency-key'),
      status: null,
      fault: null,
      committed: false,
      replayed: false,
      durationMs: 0,
    };
    log.push(entry);
    const fail = (err: ApiError, headers: Record<string, string> = {}) => errorResponse(provider, err, entry.requestId, headers);
    let response: Outgoing | null;
    try {
      response = await respond(req, entry, url, fail);
    } catch (e) {
      opts.log?.(maskSecrets(`simulator: internal error on ${entry.method} ${entry.path}: ${(e as Error).stack ?? e}`));
      response = fail(new ApiError(500, 'The simulator failed to process the request.'));
    }
    entry.durationMs = Date.now() - started;
    if (response === null) {
      req.socket.destroy();
    } else {
      entry.status = response.status;
      res.writeHead(response.status, { ...response.headers, [provider === 'anthropic' ? 'request-id' : 'x-request-id']: entry.requestId });
      if (response.stream) await pipeline(response.stream(), res).catch(() => undefined);
      else res.end(response.body);
    }
    opts.log?.(formatLogLine(entry));
  }

  /** The response to send, or null to destroy the connection instead. */
  async function respond(
    req: IncomingMessage,
    entry: RequestLogEntry,
    url: URL,
    fail: (err: ApiError, headers?: Record<string, string>) => StoredResponse,
  ): Promise<Outgoing | null> {
    const authError = authenticate(entry.provider, req, apiKeys);
    if (authError) return fail(authError);
    const match = state.match(entry.method, entry.path);
    if (!match) {
      return fail(entry.provider === 'openai' ? new ApiError(404, `Invalid URL (${entry.method} ${entry.path})`) : new ApiError(404, 'Not found'));
    }

    const decision = faults.decide(entry.method, entry.path);
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
    if (decision.fault) {
      entry.fault = decision.fault.kind;
      if (decision.fault.kind === 'reset') return null;
      const { error, headers } = faultError(entry.provider, decision.fault, Date.now());
      return fail(error, headers);
    }

    const honour = honourIdempotencyKey && entry.method === 'POST' && entry.idempotencyKey !== null;
    const claim = honour ? await idempotency.claim(`POST ${entry.path} ${entry.idempotencyKey}`) : null;
    if (claim && 'replay' in claim) {
      entry.replayed = true;
      return { ...claim.replay, headers: { ...claim.replay.headers, 'idempotent-replayed': 'true' } };
    }
    let response: Outgoing | null = null;
    try {
      const now = Date.now();
      state.advance(now);
      const simReq: SimRequest = { query: url.searchParams, params: match.params, raw: req };
      response = render(await match.route.handle(simReq, now));
      entry.committed = true;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      response = fail(e);
    } finally {
      claim?.settle(response !== null && response.status < 300 ? response : null);
    }
    if (match.route.create && response.status < 300 && faults.takeDrop()) {
      entry.fault = 'drop_after_create';
      return null;
    }
    const after = decision.afterCommit;
    if (after && entry.committed) {
      entry.fault = after.kind;
      if (after.kind === 'lost_response') return null;
      if (after.kind === 'slow_after_commit') {
        await new Promise((r) => setTimeout(r, after.delayMs ?? 2000));
        return response;
      }
      const { error, headers } = faultError(entry.provider, after, Date.now());
      return fail(error, headers);
    }
    return response;
  }

  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  config.baseUrl = `http://${urlHost(host)}:${port}`;

  const current = <T>(read: (s: SimState) => T): T => {
    state.advance(Date.now());
    return read(state);
  };
  return {
    url: config.baseUrl,
    port,
    requests: log,
    count: (method, path) =>
      log.filter((e) => e.method === method.toUpperCase() && (typeof path === 'string' ? e.path === path : path.test(e.path))).length,
    reset() {
      state = new SimState(config);
      idempotency = new IdempotencyCache();
      log.length = 0;
    },
    state: {
      files: () => current((s) => s.files.list()),
      batches: () => current((s) => s.batches.list(Date.now())),
      fineTuningJobs: () => current((s) => s.fineTuning.list()),
      messageBatches: () => current((s) => s.messageBatches.list()),
    },
    setTiming(timing) {
      config.timing = resolveTiming(timing, config.timing);
    },
    setFaults(next) {
      faults = new FaultInjector(next);
    },
    setOutcome(outcome) {
      config.outcome = { ...outcome };
    },
    setHonourIdempotencyKey(honour) {
      honourIdempotencyKey = honour;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function render(reply: Reply): Outgoing {
  if ('json' in reply) {
    return { status: reply.status ?? 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(reply.json)) };
  }
  if ('stream' in reply) {
    const headers = { 'content-type': reply.contentType, ...reply.headers, 'content-length': String(reply.length) };
    return { status: reply.status ?? 200, headers, body: Buffer.alloc(0), stream: reply.stream };
  }
  return { status: reply.status ?? 200, headers: { 'content-type': reply.contentType, ...reply.headers }, body: reply.bytes };
}

function errorResponse(provider: Provider, err: ApiError, requestId: string, headers: Record<string, string>): StoredResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(errorBody(provider, err, requestId))),
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function formatLogLine(e: RequestLogEntry): string {
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
