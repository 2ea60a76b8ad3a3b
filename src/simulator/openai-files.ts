// OpenAI Files: POST/GET /v1/files, GET/DELETE /v1/files/{id}, GET /v1/files/{id}/content.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { badRequest, notFound } from './errors';
import { intQuery, listReply, pageAfter, type Route } from './http';
import type { IdFactory } from './ids';
import { parseMultipart } from './multipart';
import { unixSeconds } from './timing';
import { oneOf } from './validate';

const UPLOAD_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;
export type FilePurpose = (typeof UPLOAD_PURPOSES)[number] | 'batch_output' | 'fine-tune-results';

export interface OpenAIFile {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at: number | null;
  filename: string;
  purpose: FilePurpose;
  status: 'processed';
  status_details: null;
}

// A file ≤ 512 MB; a Batch input file ≤ 200 MB, .jsonl only; Fine-tuning .jsonl only (the createFile operation's
// description in ../shared/corpus/openapi/openai-openapi-master.yml; notes/providers.md §2).
const MAX_FILE_BYTES = 512 * 1024 * 1024;
const MAX_BATCH_FILE_BYTES = 200 * 1024 * 1024;
/**
 * Purposes whose content cannot be downloaded: GET /files/{id}/content answers 400 "Not allowed to download files
 * of purpose: <purpose>" (OpenAI's error body as reported at https://community.openai.com/t/1357013, with the
 * upload/download table: assistants, user_data, fine-tune and evals are upload-only).
 */
const NOT_DOWNLOADABLE: readonly FilePurpose[] = ['assistants', 'user_data', 'fine-tune', 'evals'];
const THIRTY_DAYS_S = 30 * 24 * 3600;

export class FileStore {
  /** `content` holds the real bytes; a padded file (`padTo`) has `content` plus filler lines up to `meta.bytes`, generated when sent. */
  private readonly files = new Map<string, { meta: OpenAIFile; content: Buffer; padTo?: number }>();

  constructor(private readonly ids: IdFactory) {}

  /** `padTo`: pad the file with filler JSONL result lines to exactly this many bytes (never held in memory). */
  add(content: Buffer, filename: string, purpose: FilePurpose, createdMs: number, expiresAt: number | null, padTo?: number): OpenAIFile {
    const padded = padTo !== undefined && padTo > content.length ? padTo : undefined;
    const meta: OpenAIFile = {
      id: this.ids.next('file-'),
      object: 'file',
      bytes: padded ?? content.length,
      created_at: unixSeconds(createdMs),
      expires_at: expiresAt,
      filename,
      purpose,
      status: 'processed',
      status_details: null,
    };
    this.files.set(meta.id, { meta, content, padTo: padded });
    return meta;
  }

  get(id: string): { meta: OpenAIFile; content: Buffer; padTo?: number } {
    const f = this.files.get(id);
    if (!f) throw notFound(`No such File object: ${id}`, 'id');
    return f;
  }

  list(): OpenAIFile[] {
    return [...this.files.values()].map((f) => f.meta);
  }

  routes(): Route[] {
    return [
      { method: 'POST', pattern: /^\/v1\/files$/, create: true, handle: async (req, now) => ({ json: await this.upload(req.raw, now) }) },
      {
        method: 'GET',
        pattern: /^\/v1\/files$/,
        handle: (req) => {
          const purpose = req.query.get('purpose');
          const order = req.query.get('order') ?? 'desc';
          if (order !== 'asc' && order !== 'desc') throw badRequest(`Invalid 'order': expected 'asc' or 'desc'.`, 'order');
          const limit = intQuery(req.query, 'limit', 10_000, 1, 10_000);
          let items = this.list().filter((f) => purpose === null || f.purpose === purpose);
          if (order === 'desc') items = items.reverse();
          const page = pageAfter(items, req.query.get('after'), limit);
          return listReply(page);
        },
      },
      { method: 'GET', pattern: /^\/v1\/files\/(?<id>[^/]+)$/, handle: (req) => ({ json: this.get(req.params.id).meta }) },
      {
        method: 'DELETE',
        pattern: /^\/v1\/files\/(?<id>[^/]+)$/,
        handle: (req) => {
          const { meta } = this.get(req.params.id);
          this.files.delete(meta.id);
          return { json: { id: meta.id, object: 'file', deleted: true } };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/files\/(?<id>[^/]+)\/content$/,
        handle: (req) => {
          const { meta, content, padTo } = this.get(req.params.id);
          if (NOT_DOWNLOADABLE.includes(meta.purpose)) throw badRequest(`Not allowed to download files of purpose: ${meta.purpose}`);
          if (padTo !== undefined) {
            return {
              stream: () => paddedContent(content, padTo),
              length: padTo,
              contentType: 'application/octet-stream',
              headers: { 'content-disposition': `attachment; filename="${meta.filename}"` },
            };
          }
          return {
            bytes: content,
            contentType: 'application/octet-stream',
            headers: { 'content-disposition': `attachment; filename="${meta.filename}"` },
          };
        },
      },
    ];
  }

  private async upload(raw: IncomingMessage, now: number): Promise<OpenAIFile> {
    const form = await parseMultipart(raw, MAX_FILE_BYTES);
    const purpose = form.fields.purpose;
    if (purpose === undefined) throw badRequest(`Missing required parameter: 'purpose'.`, 'purpose');
    oneOf(purpose, UPLOAD_PURPOSES, 'purpose');
    const file = form.files.file;
    if (file === undefined && form.fields.file !== undefined) {
      throw badRequest(`'file' must be a file upload (a multipart part with a filename), not a text field.`, 'file');
    }
    if (file === undefined) throw badRequest(`Missing required parameter: 'file'.`, 'file');
    if (!file.filename) throw badRequest(`'file' must be a file upload with a filename.`, 'file');
    if (file.content.length === 0) throw badRequest('The uploaded file is empty.', 'file');
    // Batch input must be a .jsonl file ≤ 200 MB; checked at upload by the file name: a .txt upload answers 400
    // "Invalid file format for Batch API. Must be .jsonl" (OpenAI's body captured in BerriAI/litellm PR #37527),
    // while malformed lines in a .jsonl upload are accepted and fail the batch later (same capture).
    if (purpose === 'batch') {
      if (!file.filename.toLowerCase().endsWith('.jsonl')) throw badRequest('Invalid file format for Batch API. Must be .jsonl');
      if (file.content.length > MAX_BATCH_FILE_BYTES)
        throw badRequest(`File is too large for Batch API. Batch input files may be at most ${MAX_BATCH_FILE_BYTES} bytes.`, 'file');
    }
    // Fine-tuning accepts .jsonl only (createFile description, openai-openapi-master.yml); the message mirrors the
    // Batch API one (exact wording unverified).
    if (purpose === 'fine-tune' && !file.filename.toLowerCase().endsWith('.jsonl')) {
      throw badRequest('Invalid file format for Fine-Tuning API. Must be .jsonl');
    }
    return this.add(file.content, file.filename, purpose, now, expiresAt(form.fields, purpose, now));
  }
}

/** `expires_after[anchor]=created_at` + `expires_after[seconds]`; batch inputs default to 30 days. */
function expiresAt(fields: Record<string, string>, purpose: string, now: number): number | null {
  const anchor = fields['expires_after[anchor]'];
  const seconds = fields['expires_after[seconds]'];
  if (anchor === undefined && seconds === undefined) return purpose === 'batch' ? unixSeconds(now) + THIRTY_DAYS_S : null;
  if (anchor !== 'created_at') throw badRequest(`Invalid 'expires_after[anchor]': expected 'created_at'.`, 'expires_after.anchor');
  const s = Number(seconds);
  if (!Number.isInteger(s) || s < 3600 || s > THIRTY_DAYS_S) {
    throw badRequest(`Invalid 'expires_after[seconds]': expected an integer between 3600 and ${THIRTY_DAYS_S}.`, 'expires_after.seconds');
  }
  return unixSeconds(now) + s;
}

const PAD_LINE_BYTES = 1024;
const PAD_CHUNK_LINES = 64;

/** One filler batch result line of exactly `length` bytes (newline included), numbered `n`. */
function padLine(n: number, length: number): string {
  const num = String(n).padStart(8, '0');
  const head = `{"id":"batch_req_pad_${num}","custom_id":"pad-${num}","response":{"status_code":200,"request_id":"req_pad_${num}","body":{"object":"padding","data":"`;
  const tail = '"}},"error":null}\n';
  return head + 'x'.repeat(Math.max(0, length - head.length - tail.length)) + tail;
}

/** The real content, then filler lines (1 KiB each, the last one longer) up to exactly `total` bytes, in 64 KiB chunks. */
export function paddedContent(content: Buffer, total: number): Readable {
  const rest = total - content.length;
  const minLine = padLine(0, 0).length;
  return Readable.from(
    (function* () {
      yield content;
      if (rest < minLine) {
        if (rest > 0) yield Buffer.from('\n'.repeat(rest));
        return;
      }
      const lines = Math.max(1, Math.floor(rest / PAD_LINE_BYTES));
      const last = rest - (lines - 1) * PAD_LINE_BYTES;
      let chunk = '';
      for (let i = 1; i <= lines; i++) {
        chunk += padLine(i, i === lines ? last : PAD_LINE_BYTES);
        if (i % PAD_CHUNK_LINES === 0 || i === lines) {
          yield Buffer.from(chunk);
          chunk = '';
        }
      }
    })(),
    { objectMode: false },
  );
}
