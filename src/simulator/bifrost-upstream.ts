// The gateway's calls to its providers: real HTTP over loopback to this simulator's own OpenAI and Anthropic routes,
// so the upstream requests are logged, authenticated and subject to faults like any client's. Keys come from the
// environment, as a Bifrost config.json with `"value": "env.OPENAI_API_KEY"` / `"env.ANTHROPIC_API_KEY"` reads them
// (docs.getbifrost.ai/deployment-guides/config-json/providers); without them a placeholder is sent (accepted unless
// the simulator was given --api-key). Upstream errors pass through in Bifrost's envelope (bifrost-errors.ts). Bifrost's
// own upstream retries (network_config.max_retries) are not simulated: each call is made once.
import { operationError, upstreamError, type BifrostProvider, type RequestType } from './bifrost-errors';

const ENV_KEYS: Record<BifrostProvider, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };
const PLACEHOLDER_KEY = 'bifrost-simulator-key';

export interface UpstreamCall {
  method: 'GET' | 'POST';
  /** the provider's own path, e.g. /v1/batches/{id} or /v1/messages/batches */
  path: string;
  json?: unknown;
  form?: FormData;
}

function credentials(provider: BifrostProvider): Record<string, string> {
  const key = process.env[ENV_KEYS[provider]] || PLACEHOLDER_KEY;
  return provider === 'openai' ? { authorization: `Bearer ${key}` } : { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
}

/** One upstream call: its JSON body (or text, for file contents and JSONL results), or a BifrostError thrown. */
export async function callUpstream(
  baseUrl: string,
  provider: BifrostProvider,
  requestType: RequestType,
  call: UpstreamCall,
): Promise<unknown> {
  const headers: Record<string, string> = credentials(provider);
  let body: string | FormData | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form) body = call.form;
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${call.path}`, { method: call.method, headers, body });
  } catch (err) {
    throw operationError(`error sending the request to ${provider}: ${(err as Error).message}`, { provider, requestType });
  }
  const text = await res.text();
  const parsed = /json/i.test(res.headers.get('content-type') ?? '') ? parseOrText(text) : text;
  if (res.status >= 400) throw upstreamError(res.status, parsed, { provider, requestType });
  return parsed;
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
