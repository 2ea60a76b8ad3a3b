import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startSimulator } from '/work/main/src/simulator';
import { startDevServer } from '/work/main/src/temporal/dev-server';
import { startReferenceWorker } from '/work/main/bench/reference/worker';
(async () => {
  const dir = mkdtempSync(join('/dev/shm', 'tm-'));
  const server = await startDevServer({ port: 0, headless: true, dbFile: join(dir, 'db'), dynamicConfig: process.env.SHIFT ? { 'history.timerProcessorMaxTimeShift': process.env.SHIFT } : undefined, log: (l) => process.env.SHOWLOG && console.log(l) });
  process.env.OPENAI_API_KEY = 'k';
  const sim = await startSimulator({ port: 0, apiKeys: ['k'], outcome: { batchPollsToComplete: 6 } });
  const w = await startReferenceWorker({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  try {
    const h = await client.workflow.start('referenceBatchJob', { taskQueue: 'bench-reference', workflowId: 'x', args: [{ baseUrl: sim.url + '/v1', batchInputFile: '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}\n', endpoint: '/v1/chat/completions', pollIntervalMs: Number(process.env.MS ?? 5) }] });
    console.log(await h.result());
    const hist = await h.fetchHistory();
    let prev = 0;
    for (const e of hist.events!) {
      const t = Number(e.eventTime!.seconds) * 1000 + Math.round(e.eventTime!.nanos! / 1e6);
      console.log(String(e.eventId).padStart(3), (prev ? t - prev : 0).toString().padStart(5), e.eventType);
      prev = t;
    }
  } finally {
    await w.stop(); await sim.close(); await server.stop(); rmSync(dir, { recursive: true, force: true });
  }
})();
