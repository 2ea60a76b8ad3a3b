// The claim check: a payload over the threshold (ARAZZO_CLAIM_CHECK_BYTES, default 256 KiB) is written to the blob
// store (src/load/blob-store.ts, addressed by its sha256) and history carries only a small reference payload.
// This keeps a large plan (the prepareRun result of a large document, a child's or continue-as-new's input) under
// Temporal's payload limits, and a replay reads the plan from the blob, never the document again. It runs after
// encryption (dataConverter: [AesGcmCodec, ClaimCheckCodec]), so a stored blob is as encrypted as history would be.
// Client and worker must share the blob store (the local directory .data/blobs by default).
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { blobStore } from '../load/blob-store';
import { CodecError } from './aes-gcm';

export const CLAIM_CHECK_ENCODING = 'binary/claim-check';
const PayloadProto = temporal.api.common.v1.Payload;
const utf8 = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export function claimCheckBytes(): number {
  return Number(process.env.ARAZZO_CLAIM_CHECK_BYTES ?? 256 * 1024);
}

export function isClaimCheck(p: Payload): boolean {
  return utf8(p.metadata?.encoding) === CLAIM_CHECK_ENCODING;
}

export class ClaimCheckCodec implements PayloadCodec {
  constructor(private readonly threshold: number = claimCheckBytes()) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.store(p)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => (isClaimCheck(p) ? this.fetch(p) : p)));
  }

  private async store(p: Payload): Promise<Payload> {
    const bytes = PayloadProto.encode(p).finish();
    if (bytes.length <= this.threshold || isClaimCheck(p)) return p;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const s = blobStore();
    const file = await s.tempFile();
    await writeFile(file, bytes);
    const ref = await s.adopt(file, { size: bytes.length, sha256, contentType: 'application/x-temporal-payload' });
    return { metadata: { encoding: Buffer.from(CLAIM_CHECK_ENCODING) }, data: Buffer.from(JSON.stringify(ref)) };
  }

  private async fetch(p: Payload): Promise<Payload> {
    const ref = JSON.parse(utf8(p.data) ?? '{}') as { $blob?: string; sha256?: string };
    if (!ref.$blob?.startsWith('file:'))
      throw new CodecError(`a claim-check payload names ${JSON.stringify(ref.$blob)}, which this process cannot read`);
    let bytes: Buffer;
    try {
      bytes = await readFile(fileURLToPath(ref.$blob));
    } catch (err) {
      throw new CodecError(
        `a claim-check payload's blob ${ref.$blob} cannot be read (client and worker must share the blob store, ARAZZO_BLOB_DIR): ${(err as Error).message}`,
      );
    }
    if (createHash('sha256').update(bytes).digest('hex') !== ref.sha256)
      throw new CodecError(`the claim-check blob ${ref.$blob} does not match its sha256`);
    return PayloadProto.decode(bytes) as Payload;
  }
}
