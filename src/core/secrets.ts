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

