// Who is calling, and with what credential: the provider a path belongs to and each provider's credential check,
// with its own messages. Bifrost's unified routes (bifrost.ts) take no credential: the gateway holds the provider
// keys itself (its config.json), and governance (virtual keys, `x-bf-vk`) is not simulated.
import type { IncomingMessage } from 'node:http';
import { ApiError, type Provider } from './errors';
import { BIFROST_PREFIX } from './bifrost';

const ANTHROPIC_VERSIONS = ['2023-06-01', '2023-01-01'];

/** The API a path belongs to: the Bifrost gateway under /bifrost, Anthropic under /v1/messages, OpenAI otherwise. */
export function providerOf(path: string): Provider {
  if (path.startsWith(`${BIFROST_PREFIX}/`)) return 'bifrost';
  return path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
}

export function acceptedKeys(keys: string[] | undefined): Set<string> | null {
  const list =
    keys ??
    process.env.SIMULATOR_API_KEYS?.split(',')
      .map((k) => k.trim())
      .filter(Boolean) ??
    [];
  return list.length > 0 ? new Set(list) : null;
}

export function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

/** Each provider's credential check, with its own messages. `keys` null accepts any non-empty key. */
export function authenticate(provider: Provider, req: IncomingMessage, keys: Set<string> | null): ApiError | null {
  if (provider === 'bifrost') return null;
  if (provider === 'openai') {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '')?.[1];
    if (!bearer) {
      return new ApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }
    if (keys && !keys.has(bearer)) return new ApiError(401, 'Incorrect API key provided.', { code: 'invalid_api_key' });
    return null;
  }
  const key = header(req, 'x-api-key');
  if (!key) return new ApiError(401, 'x-api-key header is required');
  if (keys && !keys.has(key)) return new ApiError(401, 'invalid x-api-key');
  const version = header(req, 'anthropic-version');
  if (!version) return new ApiError(400, 'anthropic-version: header is required');
  if (!ANTHROPIC_VERSIONS.includes(version)) return new ApiError(400, `anthropic-version: unknown version '${version}'`);
  return null;
}
