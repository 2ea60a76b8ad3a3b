// What the workflow bundle preloads (src/bundle.ts): the core modules the interpreter workflow imports, and the
// third-party modules they use. The reusable V8 context gives each workflow its own instance of every module loaded
// after it was created, so without a preload each cached workflow held a copy of all of the core (memory) and each
// new workflow or replay after an eviction evaluated it again (CPU); preloaded modules are evaluated once per worker
// thread and shared. That is safe for these: pure code whose module state is at most a memo of a pure function
// (src/core/jsonpath-rfc9535.ts, src/core/expr/check-criterion.ts), nothing a run writes; the SDK deep-freezes what
// they export, which the conformance and e2e suites run against. src/workflows is not preloaded: it calls the
// workflow APIs (proxyActivities, setHandler), whose state is per workflow. re2js and jsonpath-rfc9535 declare
// "sideEffects": false, so they are named through modules that use their exports (a bare require is dropped).
import { RE2JS } from 're2js';
import { query } from 'jsonpath-rfc9535';
import * as asyncapi from './asyncapi';
import * as batchStatus from './batch-status';
import * as contract from './contract';
import * as durations from './durations';
import * as evaluateStep from './evaluate-step';
import * as historyRevision from './history-revision';
import * as expr from './expr';
import * as inputDefaults from './input-defaults';
import { parseRfc9535 } from './jsonpath-rfc9535';
import * as plan from './plan';
import * as planUpgrade from './plan-upgrade';
import * as pollPolicy from './poll-policy';
import * as runRequest from './run-request';
import * as runStatus from './run-status';
import * as searchAttributes from './search-attributes';
import * as subworkflows from './subworkflows';
import * as xpathEngine from './xpath-engine';

export const PRELOADED = [
  RE2JS,
  query,
  parseRfc9535,
  asyncapi,
  batchStatus,
  contract,
  durations,
  evaluateStep,
  historyRevision,
  expr,
  inputDefaults,
  plan,
  planUpgrade,
  pollPolicy,
  runRequest,
  runStatus,
  searchAttributes,
  subworkflows,
  xpathEngine,
] as const;
