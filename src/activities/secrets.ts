// Secrets are resolved here, in the activity, from the worker's environment, and nowhere else.
import { ApplicationFailure } from '@temporalio/common';
import type { Logger, LogLevel, LogMetadata } from '@temporalio/common';
import { maskDeep, maskSecrets, rememberSecret } from '../core/mask';
import { SECRET_PLACEHOLDER, isSecretRef } from '../core/secrets';

function lookup(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw ApplicationFailure.nonRetryable(`secret ${name} is not set in the worker's environment`, 'ArazzoSecretError');
  }
  // remembered for the life of the process, so that any message can be scrubbed of it
  rememberSecret(value);
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

/**
 * Remove every resolved secret value from a text (error messages, logs), and what looks like a credential:
 * Authorization / x-api-key values, Bearer tokens, key-like query parameters, well-known key formats.
 */
export function redact(text: string): string {
  return maskSecrets(text);
}

const SEVERITIES: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * A logger that masks secrets in every message and its metadata before `inner` sees them (the worker's runtime).
 * A line below the inner logger's level (its `level`, as DefaultLogger has) is dropped before masking: the SDK logs
 * several TRACE and DEBUG lines per activity, and masking them was most of a step activity's own CPU.
 */
export function maskingLogger(inner: Logger & { level?: LogLevel }): Logger {
  const min = inner.level === undefined ? 0 : Math.max(0, SEVERITIES.indexOf(inner.level));
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    if (SEVERITIES.indexOf(level) >= min) inner.log(level, maskSecrets(message), meta && maskDeep(meta));
  };
  const at = (level: LogLevel) => (message: string, meta?: LogMetadata) => log(level, message, meta);
  return {
    log,
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}
