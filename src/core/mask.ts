// Masking of credentials in text that people read: logs, failure messages (the Web UI shows them), CLI output,
// heartbeat details, the simulator's log. Two layers:
//   - exact values: every secret this process resolved or was told about (rememberSecret) is replaced, wherever
//     it stands;
//   - shapes: the value after an Authorization / Proxy-Authorization / x-api-key / api-key header name, a Bearer or
//     Basic credential, key-like query parameters (api_key=, token=, ...), and well-known key formats (sk-..., AKIA...),
//     so a key passed by value or echoed by an API is masked even when this process never saw it as a secret.
// Data (response bodies, outputs) gets only the exact layer: shapes there could be legitimate content.
export const MASK = '***';

const known = new Set<string>();
/** the remembered values, longest first (a secret containing another leaves no tail); rebuilt when one is added */
let longestFirst: string[] = [];

/** Remember a secret value so that any later text can be scrubbed of it (values under 4 characters are not). */
export function rememberSecret(value: string | undefined): void {
  if (!value || value.length < 4 || known.has(value)) return;
  known.add(value);
  longestFirst = [...known].sort((a, b) => b.length - a.length);
}

/** Replace every remembered secret value in a text, longest first. */
export function maskKnown(text: string): string {
  let out = text;
  for (const secret of longestFirst) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

// a placeholder ({{secret:NAME}}) names a secret without holding it: left as it is
const VALUE = String.raw`(?!\{\{secret:)(?!\*\*\*)`;
const SHAPES: [RegExp, (...m: string[]) => string][] = [
  // "Authorization: Bearer abc", authorization=abc, "x-api-key":"abc", 'api-key': 'abc'
  [
    new RegExp(
      String.raw`((?:proxy-)?authorization|x-api-key|api-key|x-goog-api-key)(["']?\s*[:=]\s*["']?)(?:(bearer|basic|token)\s+)?(?!(?:bearer|basic|token)\s)${VALUE}([^\s"',;&}]+)`,
      'gi',
    ),
    (_, name, sep, scheme) => `${name}${sep}${scheme ? `${scheme} ` : ''}${MASK}`,
  ],
  // a credential after an auth scheme anywhere: "Bearer abc.def"
  [new RegExp(String.raw`\b(bearer|basic)\s+${VALUE}[A-Za-z0-9._~+/=-]{8,}`, 'gi'), (_, scheme) => `${scheme} ${MASK}`],
  // key-like query parameters
  [
    new RegExp(
      String.raw`([?&;](?:api[_-]?key|key|token|access[_-]?token|secret|client[_-]?secret|password|sig|signature)=)${VALUE}[^&\s"'#]+`,
      'gi',
    ),
    (_, name) => `${name}${MASK}`,
  ],
  // well-known key formats: OpenAI / Anthropic (sk-...), AWS access key ids, GitHub and Slack tokens
  [/\b(?:sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abposr]-[A-Za-z0-9-]{10,})/g, () => MASK],
];

/** Both layers: for messages, logs and anything else meant to be read. */
export function maskSecrets(text: string): string {
  let out = maskKnown(text);
  for (const [re, replace] of SHAPES) out = out.replace(re, replace as (...m: string[]) => string);
  return out;
}

/** A value (deep) with its strings masked; `mask` picks the layer. Errors become masked copies; symbol keys are kept. */
export function maskDeep<T>(value: T, mask: (s: string) => string = maskSecrets, depth = 0): T {
  if (typeof value === 'string') return mask(value) as T;
  if (depth > 64 || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask, depth + 1)) as T;
  if (value instanceof Uint8Array || value instanceof Date) return value;
  if (value instanceof Error) {
    const copy = new Error(mask(value.message));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : mask(value.stack);
    return copy as T;
  }
  const out: Record<string | symbol, unknown> = {};
  for (const k of Reflect.ownKeys(value)) out[k] = maskDeep((value as Record<string | symbol, unknown>)[k], mask, depth + 1);
  return out as T;
}

/** An error's message, stack and causes masked in place (it keeps its class and fields for Temporal). */
export function maskError<E>(err: E, depth = 0): E {
  if (!(err instanceof Error) || depth > 8) return err;
  try {
    err.message = maskSecrets(err.message);
    if (err.stack) err.stack = maskSecrets(err.stack);
  } catch {
    /* a read-only message stays as it is */
  }
  maskError((err as { cause?: unknown }).cause, depth + 1);
  return err;
}
