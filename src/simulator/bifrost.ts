// A Bifrost gateway (maximhq/bifrost, upstream commit 5978108; ../shared/notes/bifrost.md) in front of this simulator's
// own OpenAI and Anthropic APIs. Its unified routes are mounted under /bifrost, since /v1/batches and /v1/files are the
// simulated OpenAI's: a Bifrost base URL here is `${simulator.url}/bifrost`, a real one `http://localhost:8080`.
//
//   POST /v1/batches                        provider from the `provider/model` prefix of `model` (notes §1a)
//   GET  /v1/batches?provider=              list
//   GET  /v1/batches/{batch_id}?provider=   retrieve
//   POST /v1/batches/{batch_id}/cancel?provider=
//   GET  /v1/batches/{batch_id}/results?provider=   ONE JSON object {batch_id, results[]}
//   POST /v1/files?provider= | x-model-provider header | multipart field `provider`
//   GET  /v1/files?x-model-provider= | x-model-provider header
//
// Each call is translated as Bifrost does (bifrost-translate.ts) and sent to the provider over loopback
// (bifrost-upstream.ts); errors come in Bifrost's envelope (bifrost-errors.ts).
import {
  handlerError,
  noBatchKeys,
  operationError,
  unsupported,
  type BifrostProvider,
  type ErrorSite,
  type RequestType,
} from './bifrost-errors';
import { anthropicResults, bifrostBatch, extraFields, openaiResults, type Results } from './bifrost-translate';
import { callUpstream, type UpstreamCall } from './bifrost-upstream';
import { ApiError } from './errors';
import { isObject, readJsonObject, type Route, type SimRequest } from './http';
import { parseMultipart } from './multipart';
import type { SimConfig } from './outcomes';

export const BIFROST_PREFIX = '/bifrost';

/** ModelProvider (docs/openapi/schemas/inference/common.yaml). */
const MODEL_PROVIDERS = [
  'openai',
  'azure',
  'anthropic',
  'bedrock',
  'cohere',
  'vertex',
  'vllm',
  'mistral',
  'ollama',
  'groq',
  'sgl',
  'parasail',
  'perplexity',
  'replicate',
  'cerebras',
  'gemini',
  'openrouter',
  'elevenlabs',
  'huggingface',
  'nebius',
  'xai',
  'runway',
];
/** Providers with batch support at the pinned commit that this gateway has no keys for (notes §3: gemini, bedrock, azure). */
const KEYLESS_BATCH_PROVIDERS = ['azure', 'gemini', 'bedrock'];
const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

type Json = Record<string, unknown>;

/**
 * The provider a call may use: openai and anthropic are served; a batch provider without keys here is a key
 * selection failure; any other (groq, mistral, …, or a name Bifrost does not know: unverified, answered the same
 * way) has no batch support: unsupported_operation.
 */
function servedProvider(provider: string, requestType: RequestType): BifrostProvider {
  if (provider === 'openai' || provider === 'anthropic') return provider;
  const site: ErrorSite = { provider, requestType };
  throw KEYLESS_BATCH_PROVIDERS.includes(provider) ? noBatchKeys(site) : unsupported(site);
}

/** `provider` of the query, required on list, retrieve, cancel and results ("provider query parameter is required"). */
function queryProvider(req: SimRequest, requestType: RequestType): BifrostProvider {
  const provider = req.query.get('provider');
  if (!provider) throw handlerError('provider query parameter is required');
  return servedProvider(provider, requestType);
}

/** ParseModelString(model, ""): split at the first `/`; the prefix must be a known provider (notes §1a). */
function parseModel(model: unknown): { provider: string; model: string } {
  const text = typeof model === 'string' ? model : '';
  const slash = text.indexOf('/');
  const provider = slash > 0 ? text.slice(0, slash) : '';
  if (!MODEL_PROVIDERS.includes(provider)) throw handlerError('model should be in provider/model format or provider must be specified');
  return { provider, model: text.slice(slash + 1) };
}

async function jsonBody(req: SimRequest): Promise<Json> {
  try {
    return await readJsonObject(req);
  } catch (err) {
    throw handlerError(`Invalid request format: ${(err as Error).message}`);
  }
}

export class BifrostGateway {
  constructor(private readonly config: SimConfig) {}

  routes(): Route[] {
    const p = BIFROST_PREFIX;
    const one = `^${p}/v1/batches/(?<id>[^/]+)`;
    return [
      { method: 'POST', pattern: new RegExp(`^${p}/v1/batches$`), create: true, handle: (req) => this.create(req) },
      { method: 'GET', pattern: new RegExp(`^${p}/v1/batches$`), handle: (req) => this.list(req) },
      { method: 'GET', pattern: new RegExp(`${one}$`), handle: (req) => this.retrieve(req) },
      { method: 'POST', pattern: new RegExp(`${one}/cancel$`), handle: (req) => this.cancel(req) },
      { method: 'GET', pattern: new RegExp(`${one}/results$`), handle: (req) => this.results(req) },
      { method: 'POST', pattern: new RegExp(`^${p}/v1/files$`), create: true, handle: (req) => this.upload(req) },
      { method: 'GET', pattern: new RegExp(`^${p}/v1/files$`), handle: (req) => this.listFiles(req) },
    ];
  }

  private upstream(provider: BifrostProvider, requestType: RequestType, call: UpstreamCall): Promise<unknown> {
    return callUpstream(this.config.baseUrl, provider, requestType, call);
  }

  /** POST /v1/batches: the checks in the handler's order, then the provider's own create (notes §1a, §3). */
  private async create(req: SimRequest) {
    const started = Date.now();
    const body = await jsonBody(req);
    const parsed = parseModel(body.model);
    const hasFile = typeof body.input_file_id === 'string' && body.input_file_id !== '';
    const hasRequests = Array.isArray(body.requests) && body.requests.length > 0;
    if (!hasFile && !hasRequests) throw handlerError('either input_file_id or requests is required');
    // Not at the pinned commit (there openai used input_file_id and anthropic requests): later upstream rejects both
    // together (issue #3972, TestResolveBatchProvider; its test only asserts the message contains "not both").
    if (hasFile && hasRequests) throw handlerError('provide either input_file_id or requests, not both');
    const provider = servedProvider(parsed.provider, 'batch_create');
    const native = provider === 'openai' ? await this.createOpenAI(body, hasFile) : await this.createAnthropic(body);
    return {
      json: { ...bifrostBatch(provider, native, 'create'), extra_fields: extraFields('batch_create', provider, started, parsed.model) },
    };
  }

  /** OpenAI: `endpoint` required; inline requests are uploaded as batch_requests.jsonl, each item one line verbatim. */
  private async createOpenAI(body: Json, hasFile: boolean): Promise<Json> {
    const site: ErrorSite = { provider: 'openai', requestType: 'batch_create' };
    if (typeof body.endpoint !== 'string' || body.endpoint === '') throw operationError('endpoint is required for OpenAI batch API', site);
    let inputFileId = body.input_file_id;
    if (!hasFile) {
      const jsonl = (body.requests as unknown[]).map((item) => JSON.stringify(item)).join('\n') + '\n';
      const form = new FormData();
      form.set('purpose', 'batch');
      form.set('file', new Blob([jsonl], { type: 'application/jsonl' }), 'batch_requests.jsonl');
      inputFileId = ((await this.upstream('openai', 'batch_create', { method: 'POST', path: '/v1/files', form })) as Json).id;
    }
    const create = {
      input_file_id: inputFileId,
      endpoint: body.endpoint,
      completion_window: body.completion_window ?? '24h',
      metadata: body.metadata,
    };
    return (await this.upstream('openai', 'batch_create', { method: 'POST', path: '/v1/batches', json: create })) as Json;
  }

  /** Anthropic: `requests` required; each item sent as {custom_id, params} (params, else body); input_file_id ignored. */
  private async createAnthropic(body: Json): Promise<Json> {
    if (!Array.isArray(body.requests) || body.requests.length === 0) {
      throw operationError('requests array is required for Anthropic batch API', { provider: 'anthropic', requestType: 'batch_create' });
    }
    const requests = body.requests.map((item) => (isObject(item) ? { custom_id: item.custom_id, params: item.params ?? item.body } : item));
    return (await this.upstream('anthropic', 'batch_create', { method: 'POST', path: '/v1/messages/batches', json: { requests } })) as Json;
  }

  private async list(req: SimRequest) {
    const started = Date.now();
    const provider = queryProvider(req, 'batch_list');
    const query = new URLSearchParams();
    const limit = req.query.get('limit');
    if (limit) query.set('limit', limit);
    const after = req.query.get('after');
    if (after) query.set(provider === 'openai' ? 'after' : 'after_id', after);
    const path = `${provider === 'openai' ? '/v1/batches' : '/v1/messages/batches'}${query.size ? `?${query}` : ''}`;
    const page = (await this.upstream(provider, 'batch_list', { method: 'GET', path })) as Json;
    const data = (Array.isArray(page.data) ? page.data : []).map((b) => bifrostBatch(provider, b as Json, 'retrieve'));
    const cursor = { first_id: page.first_id, last_id: page.last_id, has_more: page.has_more };
    return { json: { object: 'list', data, ...cursor, extra_fields: extraFields('batch_list', provider, started) } };
  }

  private batchPath(provider: BifrostProvider, id: string, rest = ''): string {
    return `${provider === 'openai' ? '/v1/batches' : '/v1/messages/batches'}/${encodeURIComponent(id)}${rest}`;
  }

  private async retrieve(req: SimRequest) {
    const started = Date.now();
    const provider = queryProvider(req, 'batch_retrieve');
    const native = (await this.upstream(provider, 'batch_retrieve', {
      method: 'GET',
      path: this.batchPath(provider, req.params.id),
    })) as Json;
    return { json: { ...bifrostBatch(provider, native, 'retrieve'), extra_fields: extraFields('batch_retrieve', provider, started) } };
  }

  private async cancel(req: SimRequest) {
    const started = Date.now();
    const provider = queryProvider(req, 'batch_cancel');
    const native = (await this.upstream(provider, 'batch_cancel', {
      method: 'POST',
      path: this.batchPath(provider, req.params.id, '/cancel'),
    })) as Json;
    return { json: { ...bifrostBatch(provider, native, 'cancel'), extra_fields: extraFields('batch_cancel', provider, started) } };
  }

  /**
   * Results as one JSON object. OpenAI: the batch is retrieved and its output file downloaded (no output file: an
   * operation error, HTTP 500; the message is unverified). Anthropic: the provider's results JSONL, converted.
   */
  private async results(req: SimRequest) {
    const started = Date.now();
    const provider = queryProvider(req, 'batch_results');
    const id = req.params.id;
    let converted: Results;
    if (provider === 'openai') {
      const batch = (await this.upstream(provider, 'batch_results', { method: 'GET', path: this.batchPath(provider, id) })) as Json;
      if (typeof batch.output_file_id !== 'string') {
        throw operationError(`batch ${id} has no output file (status ${String(batch.status)})`, { provider, requestType: 'batch_results' });
      }
      const path = `/v1/files/${encodeURIComponent(batch.output_file_id)}/content`;
      converted = openaiResults(String(await this.upstream(provider, 'batch_results', { method: 'GET', path })));
    } else {
      converted = anthropicResults(
        String(await this.upstream(provider, 'batch_results', { method: 'GET', path: this.batchPath(provider, id, '/results') })),
      );
    }
    const extra = {
      ...extraFields('batch_results', provider, started),
      ...(converted.parseErrors.length && { parse_errors: converted.parseErrors }),
    };
    return { json: { batch_id: id, results: converted.results, has_more: false, extra_fields: extra } };
  }

  /** POST /v1/files: provider from the query, else the x-model-provider header, else the multipart field `provider`. */
  private async upload(req: SimRequest) {
    const started = Date.now();
    let form;
    try {
      form = await parseMultipart(req.raw, MAX_UPLOAD_BYTES);
    } catch (err) {
      throw err instanceof ApiError && err.status === 413 ? err : handlerError(`Invalid request format: ${(err as Error).message}`);
    }
    const named = req.query.get('provider') ?? headerValue(req, 'x-model-provider') ?? form.fields.provider;
    if (!named) throw handlerError('provider query parameter or x-model-provider header is required');
    if (!form.fields.purpose) throw handlerError('purpose is required');
    const file = form.files.file;
    if (!file) throw handlerError('file is required');
    const provider = servedProvider(named, 'file_upload');
    // the simulator has no Anthropic Files API to send it to
    if (provider === 'anthropic')
      throw operationError('the simulator does not simulate the Anthropic Files API', { provider, requestType: 'file_upload' });
    const upstreamForm = new FormData();
    upstreamForm.set('purpose', form.fields.purpose);
    upstreamForm.set('file', new Blob([new Uint8Array(file.content)], { type: file.mimeType }), file.filename ?? 'file.jsonl');
    const meta = (await this.upstream(provider, 'file_upload', { method: 'POST', path: '/v1/files', form: upstreamForm })) as Json;
    return { json: { ...stripNulls(meta), extra_fields: extraFields('file_upload', provider, started) } };
  }

  /** GET /v1/files: the provider in the query parameter named x-model-provider (sic) or the header of that name. */
  private async listFiles(req: SimRequest) {
    const started = Date.now();
    const named = req.query.get('x-model-provider') ?? headerValue(req, 'x-model-provider');
    if (!named) throw handlerError('x-model-provider query parameter or x-model-provider header is required');
    const provider = servedProvider(named, 'file_list');
    if (provider === 'anthropic')
      throw operationError('the simulator does not simulate the Anthropic Files API', { provider, requestType: 'file_list' });
    const query = new URLSearchParams([...req.query].filter(([k]) => ['purpose', 'limit', 'after', 'order'].includes(k)));
    const page = (await this.upstream(provider, 'file_list', { method: 'GET', path: `/v1/files${query.size ? `?${query}` : ''}` })) as Json;
    const data = (Array.isArray(page.data) ? page.data : []).map((f) => stripNulls(f as Json));
    return { json: { object: 'list', data, has_more: page.has_more, extra_fields: extraFields('file_list', provider, started) } };
  }
}

function headerValue(req: SimRequest, name: string): string | undefined {
  const v = req.raw.headers[name];
  return (Array.isArray(v) ? v[0] : v) || undefined;
}

const stripNulls = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
