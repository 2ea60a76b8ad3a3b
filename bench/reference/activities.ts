// The reference: the batch job written by hand the way a typical developer would, with axios. The API key
// comes from the worker's environment (OPENAI_API_KEY), like the engine's secret references.
import { createHash } from 'node:crypto';
import axios from 'axios';

const auth = () => ({ Authorization: `Bearer ${process.env.OPENAI_API_KEY ?? ''}` });

export interface Batch {
  id: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  [key: string]: unknown;
}

export async function uploadFile(baseUrl: string, content: string, purpose = 'batch'): Promise<{ id: string }> {
  const form = new FormData();
  form.append('purpose', purpose);
  form.append('file', new Blob([content], { type: 'application/jsonl' }), 'input.jsonl');
  const res = await axios.post(`${baseUrl}/files`, form, { headers: auth() });
  return res.data;
}

export async function createBatch(baseUrl: string, inputFileId: string, endpoint: string): Promise<Batch> {
  const res = await axios.post(`${baseUrl}/batches`, { input_file_id: inputFileId, endpoint, completion_window: '24h' }, { headers: auth() });
  return res.data;
}

export async function retrieveBatch(baseUrl: string, batchId: string): Promise<Batch> {
  const res = await axios.get(`${baseUrl}/batches/${batchId}`, { headers: auth() });
  return res.data;
}

/**
 * Downloads the whole file into memory. It returns only its length and sha256: returning the body itself
 * would put it in workflow history, over Temporal's payload limit (2 MB) for any real batch output.
 */
export async function downloadFile(baseUrl: string, fileId: string): Promise<{ bytes: number; sha256: string }> {
  const res = await axios.get<ArrayBuffer>(`${baseUrl}/files/${fileId}/content`, { headers: auth(), responseType: 'arraybuffer' });
  const body = Buffer.from(res.data);
  return { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
}
