// A run's history as searchable text, as stored (no codec): its JSON plus every base64 field decoded as text.
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { ArazzoClient } from '../../src/client';

export async function rawHistoryText(client: ArazzoClient, workflowId: string): Promise<string> {
  const json = historyToJSON(await client.handle(workflowId).fetchHistory());
  const parts: string[] = [json];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') parts.push(Buffer.from(v, 'base64').toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(json));
  return parts.join('\n');
}
