// Secret references. A secret run input is {"$secret": "ENV_VAR"}; it is never resolved in the workflow.
// When an expression embeds a secret into a string (e.g. "Bearer $inputs.apiKey") the workflow writes a
// placeholder; the activity swaps placeholders for the worker's environment values right before sending.
import { isSecretRef, type SecretRef } from './types';

export { isSecretRef };
export type { SecretRef };

const OPEN = '{{secret:';
const CLOSE = '}}';
/** Matches placeholders written by secretPlaceholder(). Env var names: letters, digits, underscore. */
export const SECRET_PLACEHOLDER = /\{\{secret:([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

export function secretPlaceholder(name: string): string {
  return `${OPEN}${name}${CLOSE}`;
}

/** The environment variable names of every secret reference and placeholder in a value (deep). */
export function secretNames(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (isSecretRef(value)) into.add(value.$secret);
  else if (typeof value === 'string') for (const m of value.matchAll(SECRET_PLACEHOLDER)) into.add(m[1]);
  else if (Array.isArray(value)) for (const v of value) secretNames(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) secretNames(v, into);
  return into;
}
