// x-temporal-status: one status vocabulary for every run. A step that reads a job's status declares how its response
// maps onto the vocabulary, and the engine evaluates that after the step, whatever the API (it knows no provider):
//
//   x-temporal-status:
//     status: $response.body#/processing_status       # a runtime expression: the API's own status word
//     map: {in_progress: in_progress, canceling: cancelling, ended: ended}   # API word → vocabulary (unmapped: as is)
//     requestCounts:                                  # each an expression, or a list of expressions that are summed
//       total: [$response.body#/request_counts/processing, $response.body#/request_counts/succeeded, …]
//       completed: $response.body#/request_counts/succeeded
//       failed: $response.body#/request_counts/errored
//
// The vocabulary is Bifrost's BatchStatus enum as its schema has it (../shared/seeds/bifrost-batch-schema.yaml):
// `canceled` with one l. A response whose status expression yields no string (an error body) leaves the last
// status as it was. Pure code: compiled client side, evaluated in the step activity.
import { evaluateOutput, parseExpression, type ExpressionTable } from './expr';
import type { ExpressionContext } from './types';

export const STATUS_EXTENSION = 'x-temporal-status';

/** BatchStatus of the seed schema, in its order. */
export const BATCH_STATUSES = [
  'validating',
  'failed',
  'in_progress',
  'finalizing',
  'completed',
  'expired',
  'cancelling',
  'canceled',
  'ended',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

const COUNTS = ['total', 'completed', 'failed'] as const;
type CountName = (typeof COUNTS)[number];

/** A step's x-temporal-status as the plan carries it. */
export interface PlanStatus {
  status: string;
  map?: Record<string, string>;
  requestCounts?: Partial<Record<CountName, string[]>>;
}

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/** The run's normalized status: what the last step that declared x-temporal-status read. */
export interface NormalizedStatus {
  /** a BatchStatus, or the API's word as it is when the map does not name it */
  batchStatus: string;
  /** the API's own word */
  rawStatus: string;
  requestCounts?: RequestCounts;
  /** the step whose response said so */
  stepId: string;
}

type Report = (message: string, path: (string | number)[]) => void;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function expression(value: unknown, path: (string | number)[], report: Report): string | undefined {
  if (typeof value !== 'string')
    return void report(`${STATUS_EXTENSION}: expected a runtime expression such as $response.body#/status`, path);
  try {
    parseExpression(value);
    return value;
  } catch (err) {
    return void report(`${STATUS_EXTENSION}: ${(err as Error).message}`, path);
  }
}

function compileCounts(value: unknown, at: (string | number)[], report: Report): PlanStatus['requestCounts'] {
  if (!isObj(value)) return void report(`${STATUS_EXTENSION}.requestCounts must be an object {total, completed, failed}`, at);
  const counts: NonNullable<PlanStatus['requestCounts']> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!(COUNTS as readonly string[]).includes(name)) {
      report(`${STATUS_EXTENSION}.requestCounts: unknown count "${name}" (expected ${COUNTS.join(', ')})`, [...at, name]);
      continue;
    }
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) report(`${STATUS_EXTENSION}.requestCounts.${name}: an empty list sums nothing`, [...at, name]);
    const exprs = list.map((e, i) => expression(e, Array.isArray(v) ? [...at, name, i] : [...at, name], report));
    if (exprs.every((e) => e !== undefined)) counts[name as CountName] = exprs as string[];
  }
  return counts;
}

/** A step's x-temporal-status for the plan (undefined when absent or wrong; problems are reported at their path). */
export function compileStatus(ext: unknown, at: (string | number)[], report: Report): PlanStatus | undefined {
  if (ext === undefined) return undefined;
  if (!isObj(ext)) return void report(`${STATUS_EXTENSION} must be an object {status: <expression>, map?, requestCounts?}`, at);
  const status = expression(ext.status, [...at, 'status'], report);
  let map: Record<string, string> | undefined;
  if (ext.map !== undefined) {
    if (!isObj(ext.map))
      report(`${STATUS_EXTENSION}.map must be an object: the API's status → one of ${BATCH_STATUSES.join(', ')}`, [...at, 'map']);
    else {
      map = {};
      for (const [word, to] of Object.entries(ext.map)) {
        if (typeof to !== 'string' || !(BATCH_STATUSES as readonly string[]).includes(to)) {
          report(
            `${STATUS_EXTENSION}.map.${word}: ${JSON.stringify(to)} is not a status of the vocabulary (${BATCH_STATUSES.join(', ')})`,
            [...at, 'map', word],
          );
        } else map[word] = to;
      }
    }
  }
  const requestCounts = ext.requestCounts === undefined ? undefined : compileCounts(ext.requestCounts, [...at, 'requestCounts'], report);
  if (status === undefined) return undefined;
  return { status, ...(map && { map }), ...(requestCounts && { requestCounts }) };
}

/** A count: the sum of its expressions' numbers (a missing or non-numeric value counts 0). */
function count(exprs: string[] | undefined, ctx: ExpressionContext, table: ExpressionTable | undefined): number {
  return (exprs ?? []).reduce((sum, e) => {
    const v = evaluateOutput(e, ctx, table);
    return sum + (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  }, 0);
}

/** The normalized status a response gives (undefined when the status expression yields no string). */
export function evaluateStatus(
  spec: PlanStatus,
  ctx: ExpressionContext,
  stepId: string,
  /** the step's parsed expressions (plan version 3) */
  table?: ExpressionTable,
): NormalizedStatus | undefined {
  const raw = evaluateOutput(spec.status, ctx, table);
  if (typeof raw !== 'string' || raw === '') return undefined;
  const normalized: NormalizedStatus = {
    batchStatus: spec.map && Object.hasOwn(spec.map, raw) ? spec.map[raw] : raw,
    rawStatus: raw,
    stepId,
  };
  if (spec.requestCounts) {
    const c = spec.requestCounts;
    normalized.requestCounts = {
      total: count(c.total, ctx, table),
      completed: count(c.completed, ctx, table),
      failed: count(c.failed, ctx, table),
    };
  }
  return normalized;
}

/** `completed, 2/3 requests completed, 1 failed`: a normalized status as a line reads it. */
export function describeStatus(s: Pick<NormalizedStatus, 'batchStatus' | 'requestCounts'>): string {
  const c = s.requestCounts;
  return c ? `${s.batchStatus}, ${c.completed}/${c.total} requests completed, ${c.failed} failed` : s.batchStatus;
}
