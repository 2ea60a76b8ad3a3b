// Bifrost's errors, as the gateway at upstream commit 5978108 writes them (../shared/notes/bifrost.md §5):
// BifrostError `{is_bifrost_error, status_code?, error: {type?, code?, message}, extra_fields: {provider?, request_type?}}`
// (core/schemas/bifrost.go), sent by handlers/utils.go SendBifrostError with HTTP status `status_code` when set, else
// 400 when is_bifrost_error is false, else 500. errors.ts renders the envelope; these build the four kinds.
import { ApiError } from './errors';
import { isObject } from './http';

export type BifrostProvider = 'openai' | 'anthropic';
export type RequestType = 'batch_create' | 'batch_list' | 'batch_retrieve' | 'batch_cancel' | 'batch_results' | 'file_upload' | 'file_list';

/** Where an error came from: the provider and request type Bifrost puts in `extra_fields`. */
export interface ErrorSite {
  provider?: string;
  requestType: RequestType;
}

const extra = (site: ErrorSite) => ({ ...(site.provider && { provider: site.provider }), request_type: site.requestType });

/** Handler validation (SendError): status_code 400, is_bifrost_error false, only `error.message`, extra_fields {}. */
export function handlerError(message: string): ApiError {
  return new ApiError(400, message, { bifrost: { isBifrostError: false, statusCode: 400, extra: {} } });
}

/** A Bifrost-side operation error (NewBifrostOperationError): is_bifrost_error true, no status_code, so HTTP 500. */
export function operationError(message: string, site: ErrorSite): ApiError {
  return new ApiError(500, message, { bifrost: { isBifrostError: true, extra: extra(site) } });
}

/** A key selection failure: 400 (core/bifrost.go getKeysForBatchAndFileOps; the message as the notes quote it). */
export function noBatchKeys(site: ErrorSite): ApiError {
  const message = `no config found for batch APIs. Please enable 'Use for Batch APIs' on at least one key for provider: ${site.provider}`;
  return new ApiError(400, message, { bifrost: { isBifrostError: true, statusCode: 400, extra: extra(site) } });
}

/** A provider without batch support: 400, code unsupported_operation, "batch_create is not supported by groq provider". */
export function unsupported(site: ErrorSite): ApiError {
  const message = `${site.requestType} is not supported by ${site.provider} provider`;
  return new ApiError(400, message, {
    code: 'unsupported_operation',
    bifrost: { isBifrostError: true, statusCode: 400, extra: extra(site) },
  });
}

/**
 * An upstream HTTP error passed through: the provider's status in status_code, its error type, code and message
 * (Anthropic's `error.type` copied; notes §5). is_bifrost_error false: the provider said it, not Bifrost.
 */
export function upstreamError(status: number, body: unknown, site: ErrorSite): ApiError {
  const err = isObject(body) && isObject(body.error) ? body.error : {};
  const message = typeof err.message === 'string' ? err.message : `upstream ${site.provider} answered HTTP ${status}`;
  const type = typeof err.type === 'string' ? err.type : undefined;
  const code = typeof err.code === 'string' ? err.code : undefined;
  return new ApiError(status, message, { type, code, bifrost: { isBifrostError: false, statusCode: status, extra: extra(site) } });
}
