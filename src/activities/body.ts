// Request bodies out (JSON, multipart with file parts, form, text) and response bodies in (JSON, text,
// JSONL, binary).

export interface EncodedBody {
  data: unknown;
  contentType?: string;
}

/** A file part given explicitly as an input: {content, filename?, contentType?}. */
interface FileInput {
  content: string;
  filename?: string;
  contentType?: string;
}

const isFileInput = (v: unknown): v is FileInput =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as FileInput).content === 'string' &&
  Object.keys(v).every((k) => ['content', 'filename', 'contentType'].includes(k));

function looksLikeJsonl(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines.length === 0) return false;
  return lines.every((l) => {
    try {
      JSON.parse(l);
      return true;
    } catch {
      return false;
    }
  });
}

/** File name and media type for a string bound to a file field: JSON lines → input.jsonl, else input.txt. */
export function fileMeta(content: string): { filename: string; contentType: string } {
  return looksLikeJsonl(content)
    ? { filename: 'input.jsonl', contentType: 'application/jsonl' }
    : { filename: 'input.txt', contentType: 'text/plain' };
}

const asField = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function encodeBody(body: { contentType: string; value: unknown; fileFields?: string[] }): EncodedBody {
  const type = body.contentType.split(';')[0].trim().toLowerCase();
  const value = body.value;
  if (type === 'multipart/form-data') {
    const form = new FormData();
    for (const [name, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (isFileInput(v)) {
        const meta = fileMeta(v.content);
        form.append(name, new Blob([v.content], { type: v.contentType ?? meta.contentType }), v.filename ?? meta.filename);
      } else if (body.fileFields?.includes(name) && typeof v === 'string') {
        const meta = fileMeta(v);
        form.append(name, new Blob([v], { type: meta.contentType }), meta.filename);
      } else for (const item of Array.isArray(v) ? v : [v]) form.append(name, asField(item));
    }
    return { data: form }; // the boundary is set by the HTTP client
  }
  if (type === 'application/x-www-form-urlencoded') {
    if (typeof value === 'string') return { data: value, contentType: type };
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) if (v !== undefined) params.append(k, asField(v));
    return { data: params.toString(), contentType: type };
  }
  if (type.includes('json'))
    return {
      data: typeof value === 'string' && type !== 'application/json' ? value : JSON.stringify(value ?? null),
      contentType: body.contentType,
    };
  return { data: typeof value === 'string' ? value : JSON.stringify(value), contentType: body.contentType };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode a response body: JSON for JSON media types, text for text-like or valid UTF-8, else {$binary: base64}. */
export function decodeBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return undefined;
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { $binary: bytes.toString('base64'), contentType: type || undefined };
  }
  const jsonLines = /jsonl|ndjson|json-seq/.test(type);
  if (!jsonLines && (type === 'application/json' || type.endsWith('+json') || (!type && /^\s*[[{]/.test(text)))) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
