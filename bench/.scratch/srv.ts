import { startDevServer } from '../../src/temporal/dev-server';
(async () => { const s = await startDevServer({ port: 0, headless: true, dbFile: '/dev/shm/scratch-srv.db' }); console.log(s.address); process.on('SIGTERM', async () => { await s.stop(); process.exit(0); }); setInterval(() => {}, 1000); })();
