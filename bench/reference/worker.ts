// Worker of the reference workflows, on its own task queue with its own bundle. In process
// (startReferenceWorker) or as a child process: node --import tsx bench/reference/worker.ts --address A --task-queue Q
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import * as activities from './activities';

export const REFERENCE_TASK_QUEUE = 'bench-reference';

let bundle: Promise<WorkflowBundle> | undefined;
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

export function referenceBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quiet });
  return bundle;
}

export async function startReferenceWorker(opts: { address: string; taskQueue?: string }) {
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    taskQueue: opts.taskQueue ?? REFERENCE_TASK_QUEUE,
    workflowBundle: await referenceBundle(),
    activities,
  });
  const done = worker.run();
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done.catch(() => undefined);
      await connection.close();
    },
  };
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed */
  }
  const taskQueue = arg('--task-queue') ?? REFERENCE_TASK_QUEUE;
  startReferenceWorker({ address: arg('--address') ?? 'localhost:7233', taskQueue })
    .then(async (handle) => {
      console.log(`worker running (task queue ${taskQueue})`);
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void handle.stop());
      await handle.done;
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
