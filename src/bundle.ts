// The workflow code for the sandbox. `npm run build` bundles it once (`node dist/build.js` writes
// dist/workflow-bundle.js); a worker running from dist/ loads that file (`workflowBundle: {codePath}`) instead of
// running webpack at every start, which costs seconds and ~150 MiB of RSS that is never given back. A worker running
// from the TypeScript sources (tsx, the tests), or whose prebuilt bundle was made of other compiled workflow code
// (dist/workflow-bundle.js.json holds the sha256 of what it was made of), bundles at start and says so in one line.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';

export const WORKFLOWS_PATH = require.resolve('./workflows');
/** dist/workflow-bundle.js, next to this file when it runs from dist/ */
export const PREBUILT_BUNDLE = join(__dirname, 'workflow-bundle.js');
/** dist/workflow-bundle-otel.js: the same workflows with Temporal's OpenTelemetry workflow interceptors (a tracing worker) */
export const PREBUILT_TRACING_BUNDLE = join(__dirname, 'workflow-bundle-otel.js');
/** the compiled code a bundle is made of: the workflows and what they import (core only, by the layering rule) */
const BUNDLED_DIRS = ['workflows', 'core'];
const TRACING_INTERCEPTORS = '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';

const bundles = new Map<boolean, Promise<WorkflowBundle>>();

/**
 * The core modules the workflow imports and their third-party ones, evaluated once per worker thread instead of once
 * per workflow: the reusable V8 context evaluates every module a workflow loads again for each new workflow and each
 * replay after a cache eviction. src/core/preloaded.ts lists them and says why sharing them is safe.
 */
export const PRELOADED_MODULES = [require.resolve('./core/preloaded')];

/** The workflow code bundled once per process (a few seconds), shared by every worker it creates; `tracing`: with the OTel interceptors. */
export function workflowBundle(tracing = false): Promise<WorkflowBundle> {
  let bundle = bundles.get(tracing);
  if (!bundle) {
    const workflowInterceptorModules = tracing ? [require.resolve(TRACING_INTERCEPTORS)] : undefined;
    bundle = bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      preloadModules: PRELOADED_MODULES,
      logger: quietBundlerLogger,
      workflowInterceptorModules,
    });
    bundles.set(tracing, bundle);
  }
  return bundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** sha256 of the compiled code a bundle is made of (paths and contents), to tell whether the prebuilt one is current */
function bundledCodeHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) hash.update(`${relative(__dirname, path)}\0`).update(readFileSync(path));
    }
  };
  for (const d of BUNDLED_DIRS) walk(join(__dirname, d));
  return hash.digest('hex');
}

/** Why the prebuilt bundle cannot be used, or undefined when it can. */
export function prebuiltBundleProblem(path = PREBUILT_BUNDLE): string | undefined {
  if (!__filename.endsWith('.js')) return 'running from the TypeScript sources';
  const manifest = `${path}.json`;
  if (!existsSync(path) || !existsSync(manifest)) return `${path} does not exist (npm run build writes it)`;
  const { codeHash } = JSON.parse(readFileSync(manifest, 'utf8')) as { codeHash?: string };
  if (codeHash !== bundledCodeHash()) return `${path} was built from other workflow code than dist/ has now`;
  return undefined;
}

let announced = false;

/** What Worker.create gets: the prebuilt bundle's path when it is there and fresh, else the code bundled now. */
export async function workerBundleOption(tracing = false): Promise<WorkflowBundleOption> {
  const path = tracing ? PREBUILT_TRACING_BUNDLE : PREBUILT_BUNDLE;
  const problem = prebuiltBundleProblem(path);
  if (!problem) return { codePath: path };
  if (!announced) console.error(`bundling the workflow code at start (${problem})`);
  announced = true;
  return workflowBundle(tracing);
}

/** The build step that writes the prebuilt bundle (src/build.ts); `tracing`: the one with the OTel interceptors. */
export async function writeWorkflowBundle(out = PREBUILT_BUNDLE, tracing = false): Promise<number> {
  const { code } = await workflowBundle(tracing);
  writeFileSync(out, code);
  writeFileSync(`${out}.json`, JSON.stringify({ codeHash: bundledCodeHash() }) + '\n');
  return code.length;
}
