// Payload encryption for client, worker, CLI and schedules: one data converter built from the key config.
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm';
import { ClaimCheckCodec } from './claim-check';
import { codecKeysFromEnv, type CodecKeys } from './keys';

export { AesGcmCodec, CodecError, ENCRYPTED_ENCODING, METADATA_KEY_ID, isEncrypted } from './aes-gcm';
export { CodecKeyError, DEV_KEY_FILE, codecKeysFromEnv, ensureDevKeyFile, newKey, parseKeyList, readKeyFile, type CodecKeys } from './keys';
export { CLAIM_CHECK_ENCODING, ClaimCheckCodec, isClaimCheck } from './claim-check';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './server';

/**
 * The codec of this process's key config (ARAZZO_CODEC_KEYS, ARAZZO_CODEC_KEY_FILE, or the dev key file).
 * Always a codec, even without keys: then it writes plaintext and refuses encrypted payloads with a clear error,
 * so a worker started without the key fails its tasks saying so instead of misreading them.
 */
export function codecFromEnv(keys: CodecKeys | undefined = codecKeysFromEnv()): AesGcmCodec {
  return new AesGcmCodec(keys);
}

/** The data converter for Client and Worker options: encryption, then the claim check of large payloads. */
export function dataConverter(codec: AesGcmCodec = codecFromEnv()): DataConverter {
  return { payloadCodecs: [codec, new ClaimCheckCodec()] };
}
