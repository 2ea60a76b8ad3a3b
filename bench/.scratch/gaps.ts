import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startSimulator } from '../../src/simulator';
import { startDevServer } from '../../src/temporal/dev-server';
import { installRuntime, startWorker } from '../../src/worker';
import { ArazzoClient } from '../../src/client';
import { startReferenceWorker } from '../reference/worker';
const T = temporal.api.enums.v1.EventType;
(async () => {
  const dir = mkdtempSync(join('/dev/shm', 'gp-'));
  const server = await startDevServer({ port: 0, headless: true, dbFile: join(dir, 'db'), dynamicConfig: { 'history.timerProcessorMaxTimeShift': process.env.SHIFT ?? '10ms', ...(process.env.RPS ? { 'history.timerProcessorMaxPollRPS': Number(process.env.RPS) } : {}) } });
  process.env.OPENAI_API_KEY = 'k';
  installRuntime('ERROR');
  const N = Number(process.env.N ?? 50);
  const sim = await startSimulator({ port: 0, apiKeys: ['k'], outcome: { batchPollsToComplete: N } });
  const w = await startReferenceWorker({ address: server.address });
  const aw = process.env.ARAZZO ? await startWorker({ address: server.address, taskQueue: 'aq' }) : undefined;
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const inputs = JSON.parse(readFileSync('examples/inputs/openai-batch-job.json', 'utf8'));
  try {
    const t0 = Date.now();
    let h;
    if (process.env.ARAZZO) {
      const ac = ArazzoClient.fromClient(client, { taskQueue: 'aq' });
      const s = await ac.start({ document: 'arazzo/openai-batch-job.arazzo.yaml', inputs: { ...inputs, apiKey: { $secret: 'OPENAI_API_KEY' } }, servers: { openaiApi: sim.url + '/v1' }, poll: { initialIntervalMs: 5, maxIntervalMs: 5 }, id: 'y' });
      h = s.handle; await h.result();
    } else {
      h = await client.workflow.start('referenceBatchJob', { taskQueue: 'bench-reference', workflowId: 'x', args: [{ baseUrl: sim.url + '/v1', batchInputFile: inputs.batchInputFile, endpoint: '/v1/chat/completions', pollIntervalMs: 5 }] });
      await h.result();
    }
    console.log('total', Date.now() - t0, 'ms for', N);
    const hist = await h.fetchHistory();
    const sums: Record<string, number[]> = {};
    let prev = 0, prevType = '';
    for (const e of hist.events!) {
      const t = Number(e.eventTime!.seconds) * 1000 + Math.round(e.eventTime!.nanos! / 1e6);
      const type = T[e.eventType!].replace('EVENT_TYPE_', '');
      if (prev) (sums[`${prevType}→${type}`] ??= []).push(t - prev);
      prev = t; prevType = type;
    }
    for (const [k, v] of Object.entries(sums)) console.log(k.padEnd(70), v.length, 'avg', (v.reduce((a, b) => a + b, 0) / v.length).toFixed(1), 'max', Math.max(...v));
    const reqs = sim.requests.filter((r) => r.method === 'GET');
    const gaps = reqs.slice(1).map((r, i) => Date.parse(r.time) - Date.parse(reqs[i].time));
    console.log('GET gaps avg', (gaps.reduce((a, b) => a + b, 0) / gaps.length).toFixed(1));
  } finally {
    await aw?.stop(); await w.stop(); await sim.close(); await server.stop(); rmSync(dir, { recursive: true, force: true });
  }
})();
