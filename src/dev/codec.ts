// The dev stack's encryption: the key config of the environment if there is one, else a local key generated
// on the first start (.data/codec-keys.json, mode 0600, never printed), and a codec server for the Web UI.
import { codecFromEnv, codecKeysFromEnv, ensureDevKeyFile, startCodecServer, type CodecServer } from '../codec';

export interface DevCodec {
  server?: CodecServer;
  /** one line for the console: which key, where from, the codec server (never the key) */
  description: string;
}

export async function startDevCodec(opts: { port: number; uiPort: number }): Promise<DevCodec> {
  const configured = process.env.ARAZZO_CODEC_KEYS?.trim() || process.env.ARAZZO_CODEC_KEY_FILE;
  if (process.env.ARAZZO_CODEC_KEYS?.trim() === 'none') return { description: 'plaintext (ARAZZO_CODEC_KEYS=none)' };
  if (!configured) ensureDevKeyFile();
  const keys = codecKeysFromEnv();
  if (!keys) return { description: 'plaintext' };
  const start = (port: number) =>
    startCodecServer({ codec: codecFromEnv(keys), port, origins: [`http://127.0.0.1:${opts.uiPort}`, `http://localhost:${opts.uiPort}`] });
  // the Web UI is told the address, so a taken default port is no reason to fail: another one is picked
  const server = await start(opts.port).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE' || opts.port === 0) throw err;
    return start(0);
  });
  return { server, description: `encrypted (AES-256-GCM, key "${keys.currentId}" from ${keys.source}); codec server ${server.url}` };
}
