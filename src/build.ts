// `node dist/build.js`, the last step of `npm run build` (after tsc): what the built package precomputes so that
// a start costs less. The workflow bundle (dist/workflow-bundle.js, loaded by the worker instead of running webpack)
// and its variant with Temporal's OpenTelemetry workflow interceptors for a tracing worker (dist/workflow-bundle-otel.js),
// and the Arazzo schema validators as standalone code (dist/load/arazzo-*.validator.js, so `validate` compiles no
// JSON Schema at start).
import { writeWorkflowBundle, PREBUILT_BUNDLE, PREBUILT_TRACING_BUNDLE } from './bundle';
import { writeStandaloneValidators } from './load/schema';

async function build(): Promise<void> {
  const began = Date.now();
  for (const path of writeStandaloneValidators()) console.log(`schema validator: ${path}`);
  const bytes = await writeWorkflowBundle();
  console.log(`workflow bundle: ${PREBUILT_BUNDLE} (${Math.round(bytes / 1024)} KiB; ${Date.now() - began} ms so far)`);
  const tracing = await writeWorkflowBundle(PREBUILT_TRACING_BUNDLE, true);
  console.log(`workflow bundle: ${PREBUILT_TRACING_BUNDLE} (${Math.round(tracing / 1024)} KiB; ${Date.now() - began} ms in all)`);
}

if (require.main === module) {
  build().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
