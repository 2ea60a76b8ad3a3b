// Large bodies stay out of workflow history: the activity streams them into a blob store and history
// carries a reference. The default store is a local directory (ARAZZO_BLOB_DIR, default .data/blobs);
// another store (an S3-compatible bucket, say) plugs in by implementing BlobStore for its URI scheme.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Readable } from 'node:stream';
import type { BlobRef } from '../core/types';

export type { BlobRef };

export interface BlobStore {
  /** URI scheme this store answers for, e.g. "file" or "s3" */
  readonly scheme: string;
  /** Move a finished temporary file into the store; the content is addressed by its sha256. */
  adopt(tempFile: string, meta: Omit<BlobRef, '$blob'>): Promise<BlobRef>;
  open(ref: BlobRef): Readable;
  /** a local file to write temporary content to before adopt() */
  tempFile(): Promise<string>;
}

export class LocalBlobStore implements BlobStore {
  readonly scheme = 'file';
  constructor(readonly dir: string) {}

  async tempFile(): Promise<string> {
    await mkdir(join(this.dir, 'tmp'), { recursive: true });
    return join(this.dir, 'tmp', randomBytes(8).toString('hex'));
  }

  async adopt(tempFile: string, meta: Omit<BlobRef, '$blob'>): Promise<BlobRef> {
    const target = join(this.dir, meta.sha256);
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (exists) await rm(tempFile, { force: true });
    else await rename(tempFile, target);
    return { $blob: pathToFileURL(target).toString(), ...meta };
  }

  open(ref: BlobRef): Readable {
    return createReadStream(fileURLToPath(ref.$blob));
  }
}

/** Bodies and outputs larger than this go to the blob store (ARAZZO_BLOB_THRESHOLD_BYTES, default 256 KiB). */
export function blobThresholdBytes(): number {
  return Number(process.env.ARAZZO_BLOB_THRESHOLD_BYTES ?? 256 * 1024);
}

let store: BlobStore | undefined;
export function blobStore(): BlobStore {
  store ??= new LocalBlobStore(resolve(process.env.ARAZZO_BLOB_DIR ?? join('.data', 'blobs')));
  return store;
}

/** Use another store (tests, or an S3-compatible implementation). */
export function setBlobStore(s: BlobStore): void {
  store = s;
}

/** Store a value that is already in memory (a large output). */
export async function putValue(value: string, contentType: string): Promise<BlobRef> {
  const s = blobStore();
  const file = await s.tempFile();
  const sha256 = createHash('sha256').update(value).digest('hex');
  await pipeline(async function* () {
    yield value;
  }, createWriteStream(file));
  return s.adopt(file, { size: Buffer.byteLength(value), sha256, contentType });
}

/** Copy a blob to a local path (used by `result --blobs`). */
export async function saveBlob(ref: BlobRef, path: string): Promise<void> {
  const s = ref.$blob.startsWith('file:') ? new LocalBlobStore('') : blobStore();
  await pipeline(s.open(ref), createWriteStream(path));
}
