// What POST /v1/batches checks: the endpoint, output_expires_after, the outcome options, and every line of the
// input file the way the validating phase would (notes/providers.md §3, CreateBatchRequest in openai-openapi-master.yml).
import { badRequest } from './errors';
import { isObject } from './http';
import { FAIL_MODEL, wantsSimulatedError } from './outcomes';
import { THIRTY_DAYS_S, type BatchLine, type LineError } from './openai-batch-record';

export const BATCH_ENDPOINTS = [
  '/v1/responses',
  '/v1/chat/completions',
  '/v1/embeddings',
  '/v1/completions',
  '/v1/moderations',
  '/v1/images/generations',
  '/v1/images/edits',
  '/v1/videos',
] as const;

// ≤ 50,000 requests per input file (createBatch `input_file_id` description, openai-openapi-master.yml).
const MAX_REQUESTS = 50_000;
/** Checks every input line the way the validating phase would; errors carry 1-based line numbers. */
export function parseInput(text: string, endpoint: string): { lines: BatchLine[]; errors: LineError[]; model: string | null } {
  const lines: BatchLine[] = [];
  const errors: LineError[] = [];
  const seen = new Set<string>();
  let model: string | null = null;
  const rows = text.split('\n');
  rows.forEach((row, i) => {
    const line = i + 1;
    if (row.trim() === '') return;
    const fail = (code: string, message: string, param: string | null = null) => errors.push({ code, message, param, line });
    let item: unknown;
    try {
      item = JSON.parse(row);
    } catch {
      return fail('invalid_json_line', 'This line is not parseable as valid JSON.');
    }
    if (!isObject(item)) return fail('invalid_json_line', 'Each line must be a JSON object.');
    const { custom_id: customId, method, url, body } = item;
    if (typeof customId !== 'string' || customId === '')
      return fail('missing_required_parameter', `Missing required parameter: 'custom_id'.`, 'custom_id');
    if (method !== 'POST') return fail('invalid_method', `Invalid value for 'method': only 'POST' is supported.`, 'method');
    if (url !== endpoint)
      return fail('mismatched_endpoint', `The url '${String(url)}' does not match the batch endpoint '${endpoint}'.`, 'url');
    if (!isObject(body)) return fail('missing_required_parameter', `Missing required parameter: 'body'.`, 'body');
    // every request names its model (BatchRequestInput body; one model per file, guide https://platform.openai.com/docs/guides/batch)
    if (typeof body.model !== 'string' || body.model === '')
      return fail('missing_required_parameter', `Missing required parameter: 'body.model'.`, 'body.model');
    if (body.stream === true) return fail('invalid_request', 'Streaming is not supported in batch requests.', 'body.stream');
    if (seen.has(customId))
      return fail('duplicate_custom_id', `The custom_id '${customId}' is used more than once in this file.`, 'custom_id');
    seen.add(customId);
    if (model !== null && body.model !== model)
      return fail('mismatched_model', 'All requests in a batch must use the same model.', 'body.model');
    if (body.model === FAIL_MODEL)
      return fail('model_not_found', `The model '${FAIL_MODEL}' does not exist or you do not have access to it.`, 'body.model');
    model = body.model;
    lines.push({ customId, body, fails: wantsSimulatedError(body) });
  });
  if (lines.length === 0 && errors.length === 0)
    errors.push({ code: 'empty_file', message: 'The input file contains no requests.', param: null, line: null });
  if (lines.length > MAX_REQUESTS) {
    errors.push({ code: 'too_many_requests', message: `A batch may contain at most ${MAX_REQUESTS} requests.`, param: null, line: null });
  }
  return { lines, errors, model };
}

export function positiveInt(value: number | undefined, name: string): number | null {
  if (value === undefined) return null;
  if (!Number.isInteger(value) || value < 1) throw new Error(`outcome.${name} must be an integer ≥ 1`);
  return value;
}

export function validateOutputExpiry(value: unknown): number {
  if (value === undefined || value === null) return THIRTY_DAYS_S;
  if (!isObject(value) || value.anchor !== 'created_at') {
    throw badRequest(`Invalid 'output_expires_after': anchor must be 'created_at'.`, 'output_expires_after.anchor');
  }
  const s = value.seconds;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 3600 || s > THIRTY_DAYS_S) {
    throw badRequest(
      `Invalid 'output_expires_after.seconds': expected an integer between 3600 and ${THIRTY_DAYS_S}.`,
      'output_expires_after.seconds',
    );
  }
  return s;
}
