// The payload codec: AES-256-GCM over the whole serialized payload (its metadata included, so even the
// encoding of a value is hidden). The encrypted payload carries the key id in its metadata, so keys can rotate:
// new payloads use the current key, old ones are read with whichever known key they name.
//
// It runs wherever payloads cross the wire: in the client (inputs, results, schedules, queries), in the worker
// (outside the workflow sandbox: the worker decodes activations before they reach the workflow), and in the codec
// server that lets the Web UI and `temporal workflow show --codec-endpoint` read history.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKeys } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const CIPHER = 'AES-256-GCM';
export const METADATA_KEY_ID = 'encryption-key-id';
export const METADATA_CIPHER = 'encryption-cipher';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const PayloadProto = temporal.api.common.v1.Payload;
const utf8 = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export class CodecError extends Error {
  override name = 'CodecError';
}

export function isEncrypted(p: Payload): boolean {
  return utf8(p.metadata?.encoding) === ENCRYPTED_ENCODING;
}

export class AesGcmCodec implements PayloadCodec {
  /** keys undefined: nothing is encrypted, and an encrypted payload fails to decode with a clear error */
  constructor(private readonly keys: CodecKeys | undefined) {}

  get currentKeyId(): string | undefined {
    return this.keys?.currentId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keys = this.keys;
    if (!keys) return payloads;
    const key = keys.keys.get(keys.currentId) as Buffer;
    return payloads.map((p) => {
      if (isEncrypted(p)) return p;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(keys.currentId));
      const body = Buffer.concat([cipher.update(PayloadProto.encode(p).finish()), cipher.final()]);
      return {
        metadata: {
          encoding: Buffer.from(ENCRYPTED_ENCODING),
          [METADATA_CIPHER]: Buffer.from(CIPHER),
          [METADATA_KEY_ID]: Buffer.from(keys.currentId),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    // plaintext payloads (written before encryption was turned on) pass through
    return payloads.map((p) => (isEncrypted(p) ? this.decrypt(p) : p));
  }

  private decrypt(p: Payload): Payload {
    const keyId = utf8(p.metadata?.[METADATA_KEY_ID]) ?? '(none)';
    if (!this.keys) {
      throw new CodecError(
        `a payload is encrypted (key id "${keyId}") but this process has no codec keys: set ARAZZO_CODEC_KEYS or ARAZZO_CODEC_KEY_FILE as the client that wrote it did`,
      );
    }
    const key = this.keys.keys.get(keyId);
    if (!key)
      throw new CodecError(
        `a payload is encrypted with key id "${keyId}", which is not among the keys of ${this.keys.source} (${[...this.keys.keys.keys()].join(', ')})`,
      );
    const data = Buffer.from(p.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new CodecError(`an encrypted payload (key id "${keyId}") is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return PayloadProto.decode(plain) as Payload;
    } catch {
      throw new CodecError(
        `an encrypted payload (key id "${keyId}") failed authentication: wrong key for that id, or the payload was altered`,
      );
    }
  }
}
