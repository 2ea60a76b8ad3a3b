// Provider error envelopes.
//   OpenAI:    {"error":{"message","type","param","code"}}          (all four keys always present)
//   Anthropic: {"type":"error","error":{"type","message"},"request_id":"req_…"}
//   Bifrost:   {"is_bifrost_error","status_code"?,"error":{"type"?,"code"?,"message"},"extra_fields":{…}} (bifrost-errors.ts)
export type Provider = 'openai' | 'anthropic' | 'bifrost';

export interface ApiErrorDetails {
  /** Overrides the type derived from the status (OpenAI `error.type`, Anthropic `error.error.type`). */
  type?: string;
  param?: string | null;
  code?: string | null;
  /** Extra members of the Anthropic `error` object, e.g. `details` on spend-limit 429s. */
  anthropicExtra?: Record<string, unknown>;
  /** Members of Bifrost's envelope (bifrost-errors.ts); without them a Bifrost route's error is an operation error. */
  bifrost?: { isBifrostError: boolean; statusCode?: number; extra: Record<string, unknown> };
}

/** Thrown by handlers; the server renders it in the envelope of the route's provider. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: ApiErrorDetails = {},
  ) {
    super(message);
  }
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function errorBody(provider: Provider, err: ApiError, requestId: string): unknown {
  if (provider === 'bifrost') {
    // SendBifrostError (handlers/utils.go): extra_fields always present; status_code as the HTTP status it chose
    const b = err.details.bifrost ?? { isBifrostError: true, statusCode: err.status, extra: {} };
    const error = {
      ...(err.details.type && { type: err.details.type }),
      ...(err.details.code && { code: err.details.code }),
      message: err.message,
    };
    return {
      is_bifrost_error: b.isBifrostError,
      ...(b.statusCode !== undefined && { status_code: b.statusCode }),
      error,
      extra_fields: b.extra,
    };
  }
  if (provider === 'anthropic') {
    const type = err.details.type ?? ANTHROPIC_TYPES[err.status] ?? 'api_error';
    return { type: 'error', error: { type, message: err.message, ...err.details.anthropicExtra }, request_id: requestId };
  }
  return {
    error: {
      message: err.message,
      type: err.details.type ?? (err.status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: err.details.param ?? null,
      code: err.details.code ?? null,
    },
  };
}

export function badRequest(message: string, param: string | null = null): ApiError {
  return new ApiError(400, message, { param });
}

export function notFound(message: string, param: string | null = null): ApiError {
  return new ApiError(404, message, { param });
}
