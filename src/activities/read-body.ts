// Read a response body from its stream. Small bodies are decoded in memory; a body over the threshold is
// streamed to the blob store (constant memory, sha256 on the way) and stands in history as a reference.
// A large JSON body that is still reasonable to parse is parsed as well, so criteria and outputs can
// point inside it.
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { decodeBody } from './body';
import type { BlobRef, BlobStore } from '../load/blob-store';

export const BLOB_PARSE_LIMIT_BYTES = Number(process.env.ARAZZO_BLOB_PARSE_LIMIT_BYTES ?? 32 * 1024 * 1024);

export interface ReadBody {
  /** what criteria and outputs see: the decoded body, or the blob reference */
  body: unknown;
  bytes: number;
  /** set when the body went to the blob store */
  blob?: BlobRef;
}

async function write(file: WriteStream, chunk: Buffer): Promise<void> {
  if (!file.write(chunk)) await once(file, 'drain');
}

export async function readBody(
  stream: Readable,
  contentType: string | undefined,
  threshold: number,
  store: () => BlobStore,
): Promise<ReadBody> {
  const hash = createHash('sha256');
  let chunks: Buffer[] = [];
  let bytes = 0;
  let file: WriteStream | undefined;
  let tmp = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    if (file) await write(file, chunk);
    else {
      chunks.push(chunk);
      if (bytes > threshold) {
        tmp = await store().tempFile();
        file = createWriteStream(tmp);
        for (const c of chunks) await write(file, c);
        chunks = [];
      }
    }
  }
  if (!file) return { body: decodeBody(Buffer.concat(chunks), contentType), bytes };
  file.end();
  await once(file, 'close');
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase() || undefined;
  const blob = await store().adopt(tmp, { size: bytes, sha256: hash.digest('hex'), contentType: type });
  const json = type === 'application/json' || type?.endsWith('+json');
  if (json && bytes <= BLOB_PARSE_LIMIT_BYTES) {
    const parts: Buffer[] = [];
    for await (const c of store().open(blob) as AsyncIterable<Buffer>) parts.push(c);
    return { body: decodeBody(Buffer.concat(parts), contentType), bytes, blob };
  }
  return { body: blob, bytes, blob };
}
