// Outputs too large for history arrive as blob references: written out to files for people (run/result --blobs).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { saveBlob } from './load/blob-store';
import { isBlobRef } from './core/types';

const EXTENSIONS: Record<string, string> = {
  'application/json': '.json',
  'application/x-jsonl': '.jsonl',
  'application/jsonl': '.jsonl',
  'text/plain': '.txt',
  'application/octet-stream': '.bin',
};

/** Write every output that is a blob reference to `<dir>/<output name><ext>`; returns name → path. */
export async function saveBlobOutputs(outputs: Record<string, unknown>, dir: string): Promise<Record<string, string>> {
  const saved: Record<string, string> = {};
  for (const [name, value] of Object.entries(outputs)) {
    if (!isBlobRef(value)) continue;
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${name}${EXTENSIONS[value.contentType ?? ''] ?? '.bin'}`);
    await saveBlob(value, path);
    saved[name] = path;
  }
  return saved;
}
