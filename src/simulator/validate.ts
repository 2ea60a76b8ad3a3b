// Request-body checks shared by the create endpoints, with the providers' message styles.
import { badRequest, type Provider } from './errors';
import { isObject } from './http';

/** OpenAI rejects unknown top-level create arguments; Anthropic calls them "Extra inputs". */
export function rejectUnknownKeys(provider: Provider, body: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(body).find((k) => !allowed.includes(k));
  if (extra === undefined) return;
  throw provider === 'openai'
    ? badRequest(`Unrecognized request argument supplied: ${extra}`)
    : badRequest(`${extra}: Extra inputs are not permitted`);
}

/** OpenAI's enum message: "'x' is not one of ['a', 'b'] - 'param'". */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], param: string): asserts value is T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return;
  throw badRequest(`'${String(value)}' is not one of [${allowed.map((a) => `'${a}'`).join(', ')}] - '${param}'`, param);
}

/** OpenAI metadata: at most 16 pairs, keys ≤ 64 characters, string values ≤ 512 characters. */
export function validateMetadata(metadata: unknown): Record<string, string> | null {
  if (metadata === undefined || metadata === null) return null;
  if (!isObject(metadata)) throw badRequest(`Invalid 'metadata': expected an object.`, 'metadata');
  const entries = Object.entries(metadata);
  if (entries.length > 16) throw badRequest(`Invalid 'metadata': at most 16 key-value pairs are allowed.`, 'metadata');
  for (const [k, v] of entries) {
    if (k.length > 64) throw badRequest(`Invalid 'metadata': keys may be at most 64 characters.`, 'metadata');
    if (typeof v !== 'string' || v.length > 512)
      throw badRequest(`Invalid 'metadata': values must be strings of at most 512 characters.`, 'metadata');
  }
  return metadata as Record<string, string>;
}
