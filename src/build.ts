// `node dist/build.js`, the last step of `npm run build` (after tsc): what the built package precomputes so that
// a start costs less. The workflow bundle (dist/workflow-bundle.js, loaded by the worker instead of running webpack)
// and the Arazzo schema validators as standalone code (dist/load/arazzo-*.validator.js, so `validate` compiles no
// JSON Schema at start).
import { writeWorkflowBundle, PREBUILT_BUNDLE } from './bundle';
import { writeStandaloneValidators } from './load/schema';

async function build(): Promise<void> {
  const began = Date.now();
  for (const path of writeStandaloneValidators()) console.log(`schema validator: ${path}`);
  const bytes = await writeWorkflowBundle();
  console.log(`workflow bundle: ${PREBUILT_BUNDLE} (${Math.round(bytes / 1024)} KiB; ${Date.now() - began} ms in all)`);
}

if (require.main === module) {
  build().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
