// The provider simulator: one node:http server imitating the OpenAI Files/Batches/Fine-tuning APIs (paths under
// /v1), the Anthropic Message Batches API (/v1/messages/batches…) and a Bifrost gateway in front of both (/bifrost/v1/…,
// bifrost.ts). This file holds the HTTP plumbing: faults, idempotency, the request log (authentication: auth.ts;
// what is sent: responses.ts; the public types: simulator-types.ts); the provider modules hold the state machines.
import { maskSecrets } from '../core/mask';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { acceptedKeys, authenticate, header, providerOf } from './auth';
import { ApiError, type Provider } from './errors';
import { FaultInjector, faultError, type FaultDecision, type FaultOptions } from './faults';
import type { SimRequest } from './http';
import { IdempotencyCache, type StoredResponse } from './idempotency';
import type { SimConfig } from './outcomes';
import { errorResponse, formatLogLine, render, urlHost, type Outgoing } from './responses';
import type { RequestLogEntry, Simulator, SimulatorOptions } from './simulator-types';
import { SimState, type RouteMatch } from './state';
import { resolveTiming, TIMING_PRESETS } from './timing';

export type { RequestLogEntry, Simulator, SimulatorOptions } from './simulator-types';

type Fail = (err: ApiError, headers?: Record<string, string>) => StoredResponse;

/** The simulator's state and its request handling, behind one HTTP server. */
class SimulatorCore {
  state: SimState;
  idempotency = new IdempotencyCache();
  faults: FaultInjector;
  honourIdempotencyKey: boolean;
  readonly log: RequestLogEntry[] = [];
  private seq = 0;
  private readonly apiKeys: Set<string> | null;

  constructor(
    readonly config: SimConfig,
    private readonly opts: SimulatorOptions,
  ) {
    this.apiKeys = acceptedKeys(opts.apiKeys);
    this.state = new SimState(config);
    this.faults = new FaultInjector(opts.faults);
    this.honourIdempotencyKey = opts.honourIdempotencyKey === true;
  }

  private entryFor(req: IncomingMessage, url: URL, started: number): RequestLogEntry {
    return {
      seq: ++this.seq,
      time: new Date(started).toISOString(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: maskSecrets(url.search).replace(/^\?/, ''),
      provider: providerOf(url.pathname),
      requestId: this.state.ids.next('req_'),
      idempotencyKey: header(req, 'idempotency-key'),
      status: null,
      fault: null,
      committed: false,
      replayed: false,
      durationMs: 0,
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const entry = this.entryFor(req, url, started);
    const provider: Provider = entry.provider;
    this.log.push(entry);
    const fail: Fail = (err, headers = {}) => errorResponse(provider, err, entry.requestId, headers);
    let response: Outgoing | null;
    try {
      response = await this.respond(req, entry, url, fail);
    } catch (e) {
      this.opts.log?.(maskSecrets(`simulator: internal error on ${entry.method} ${entry.path}: ${(e as Error).stack ?? e}`));
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
    this.opts.log?.(formatLogLine(entry));
  }

  /** The response to send, or null to destroy the connection instead. */
  private async respond(req: IncomingMessage, entry: RequestLogEntry, url: URL, fail: Fail): Promise<Outgoing | null> {
    const authError = authenticate(entry.provider, req, this.apiKeys);
    if (authError) return fail(authError);
    const match = this.state.match(entry.method, entry.path);
    if (!match) {
      return fail(
        entry.provider === 'openai' ? new ApiError(404, `Invalid URL (${entry.method} ${entry.path})`) : new ApiError(404, 'Not found'),
      );
    }
    const decision = this.faults.decide(entry.method, entry.path);
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
    if (decision.fault) {
      entry.fault = decision.fault.kind;
      if (decision.fault.kind === 'reset') return null;
      const { error, headers } = faultError(entry.provider, decision.fault, Date.now());
      return fail(error, headers);
    }
    const response = await this.commit(req, entry, url, match, fail);
    if (entry.replayed) return response;
    if (match.route.create && response.status < 300 && this.faults.takeDrop()) {
      entry.fault = 'drop_after_create';
      return null;
    }
    return this.afterCommit(entry, decision, response, fail);
  }

  /** Run the route (or replay a repeated Idempotency-Key's stored response, when honoured). */
  private async commit(req: IncomingMessage, entry: RequestLogEntry, url: URL, match: RouteMatch, fail: Fail): Promise<Outgoing> {
    const honour = this.honourIdempotencyKey && entry.method === 'POST' && entry.idempotencyKey !== null;
    const claim = honour ? await this.idempotency.claim(`POST ${entry.path} ${entry.idempotencyKey}`) : null;
    if (claim && 'replay' in claim) {
      entry.replayed = true;
      return { ...claim.replay, headers: { ...claim.replay.headers, 'idempotent-replayed': 'true' } };
    }
    let response: Outgoing | null = null;
    try {
      const now = Date.now();
      this.state.advance(now);
      const simReq: SimRequest = { query: url.searchParams, params: match.params, raw: req };
      response = render(await match.route.handle(simReq, now));
      entry.committed = true;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      response = fail(e);
    } finally {
      claim?.settle(response !== null && response.status < 300 ? response : null);
    }
    return response;
  }

  /** Faults that act once the request was processed: the answer lost, held, or replaced by an error. */
  private async afterCommit(entry: RequestLogEntry, decision: FaultDecision, response: Outgoing, fail: Fail): Promise<Outgoing | null> {
    const after = decision.afterCommit;
    if (!after || !entry.committed) return response;
    entry.fault = after.kind;
    if (after.kind === 'lost_response') return null;
    if (after.kind === 'slow_after_commit') {
      await new Promise((r) => setTimeout(r, after.delayMs ?? 2000));
      return response;
    }
    const { error, headers } = faultError(entry.provider, after, Date.now());
    return fail(error, headers);
  }
}

/** The handle tests and the CLI hold: the request log, the current objects, and the knobs. */
function facade(core: SimulatorCore, server: http.Server, url: string, port: number): Simulator {
  const current = <T>(read: (s: SimState) => T): T => {
    core.state.advance(Date.now());
    return read(core.state);
  };
  const log = core.log;
  return {
    url,
    port,
    requests: log,
    count: (method, path) =>
      log.filter((e) => e.method === method.toUpperCase() && (typeof path === 'string' ? e.path === path : path.test(e.path))).length,
    reset() {
      core.state = new SimState(core.config);
      core.idempotency = new IdempotencyCache();
      log.length = 0;
    },
    state: {
      files: () => current((s) => s.files.list()),
      batches: () => current((s) => s.batches.list(Date.now())),
      fineTuningJobs: () => current((s) => s.fineTuning.list()),
      messageBatches: () => current((s) => s.messageBatches.list()),
    },
    setTiming(timing) {
      core.config.timing = resolveTiming(timing, core.config.timing);
    },
    setFaults(next: FaultOptions) {
      core.faults = new FaultInjector(next);
    },
    setOutcome(outcome) {
      core.config.outcome = { ...outcome };
    },
    setHonourIdempotencyKey(honour) {
      core.honourIdempotencyKey = honour;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const config: SimConfig = {
    timing: resolveTiming(opts.timing ?? 'demo', TIMING_PRESETS.demo),
    outcome: { ...opts.outcome },
    baseUrl: '',
  };
  const core = new SimulatorCore(config, opts);
  const server = http.createServer((req, res) => void core.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  config.baseUrl = `http://${urlHost(host)}:${port}`;
  return facade(core, server, config.baseUrl, port);
}
