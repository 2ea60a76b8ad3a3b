import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../../src/temporal/dev-server';
(async () => {
  const dir = mkdtempSync(join(process.env.DIR ?? tmpdir(), 'st-'));
  const server = await startDevServer({ port: 0, headless: true, dbFile: join(dir, 'db') });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  try {
    for (const conc of [1, 200]) {
      const t0 = Date.now();
      if (conc === 1) for (let i = 0; i < 50; i++) await client.workflow.start('nothing', { taskQueue: 'none', workflowId: `s-${i}` });
      else await Promise.all(Array.from({ length: 200 }, (_, i) => client.workflow.start('nothing', { taskQueue: 'none', workflowId: `c-${i}` })));
      console.log(conc === 1 ? '50 serial' : '200 concurrent', Date.now() - t0, 'ms');
    }
  } finally {
    await server.stop(); rmSync(dir, { recursive: true, force: true });
  }
})();
