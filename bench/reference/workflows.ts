// The reference workflows: a hand-written poll loop (one activity and one timer per poll, no continue-as-new) that
// makes the batch-job seed's HTTP requests (upload, create, the polls, then getResult's retrieve), and a download
// that returns a digest of the file.
import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type * as activities from './activities';

const { uploadFile, createBatch, retrieveBatch } = proxyActivities<typeof activities>({ startToCloseTimeout: '1m' });
const { downloadFile } = proxyActivities<typeof activities>({ startToCloseTimeout: '10m' });

export interface BatchJobInput {
  baseUrl: string;
  batchInputFile: string;
  endpoint: string;
  pollIntervalMs: number;
}

export async function referenceBatchJob(input: BatchJobInput): Promise<{ batchId: string; outputFileId: string | null; polls: number }> {
  const file = await uploadFile(input.baseUrl, input.batchInputFile);
  const created = await createBatch(input.baseUrl, file.id, input.endpoint);
  let polls = 0;
  for (;;) {
    const batch = await retrieveBatch(input.baseUrl, created.id);
    polls++;
    if (batch.status === 'completed') {
      // the seed's last step (getResult) retrieves the batch once more for its file ids: the same request here
      const done = await retrieveBatch(input.baseUrl, created.id);
      return { batchId: done.id, outputFileId: done.output_file_id, polls };
    }
    if (['failed', 'expired', 'cancelled'].includes(batch.status))
      throw ApplicationFailure.nonRetryable(`batch ${batch.id} ended ${batch.status}`);
    await sleep(input.pollIntervalMs);
  }
}

export async function referenceDownloadResults(input: {
  baseUrl: string;
  batchId: string;
}): Promise<{ status: string; outputFileId?: string; bytes?: number; sha256?: string }> {
  const batch = await retrieveBatch(input.baseUrl, input.batchId);
  if (batch.status !== 'completed' || !batch.output_file_id) return { status: batch.status };
  const file = await downloadFile(input.baseUrl, batch.output_file_id);
  return { status: batch.status, outputFileId: batch.output_file_id, ...file };
}
