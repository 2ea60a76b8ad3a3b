// Secrets are resolved here, in the activity, from the worker's environment, and nowhere else.
import { ApplicationFailure } from '@temporalio/common';
import { SECRET_PLACEHOLDER, isSecretRef } from '../core/secrets';

/** Values resolved during this process's life, so that any message can be scrubbed of them. */
const known = new Set<string>();

function lookup(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw ApplicationFailure.nonRetryable(`secret ${name} is not set in the worker's environment`, 'ArazzoSecretError');
  }
  if (value.length >= 4) known.add(value);
  return value;
}

/** Replace secret references and placeholders in a value (deep) with their environment values. */
export function resolveSecrets<T>(value: T): T {
  if (isSecretRef(value)) return lookup(value.$secret) as T;
  if (typeof value === 'string') return value.replace(SECRET_PLACEHOLDER, (_, name: string) => lookup(name)) as T;
  if (Array.isArray(value)) return value.map(resolveSecrets) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSecrets(v)])) as T;
  return value;
}

/** Remove every resolved secret value from a text (error messages, logs). */
export function redact(text: string): string {
  let out = text;
  // longest first: a secret that contains another must not leave its tail behind
  for (const secret of [...known].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out;
}
