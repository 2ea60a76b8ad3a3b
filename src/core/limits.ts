// Limits on what a document, a source description and a run's inputs may hold. Each is checked before anything
// starts and refused with a clear error naming file:line (where there is one). The README's "Limits" section lists
// them; change them here only. Pure (the criteria in the workflow sandbox read LIMITS too).
import { DocumentError } from './diagnostics';
import type { PlanSites } from './compile';
import type { PlanStep } from './plan';
import type { Diagnostic, Plan, SourcePos } from './types';

export const LIMITS = {
  /** bytes of an Arazzo document (the one run, or one named by a source description of type arazzo) */
  documentBytes: 4 * 1024 * 1024,
  /** bytes of an OpenAPI source description (published descriptions of large APIs run to several MiB) */
  sourceBytes: 64 * 1024 * 1024,
  /** YAML alias expansion ("billion laughs"): the yaml package's alias count for an Arazzo document */
  documentAliases: 1_000,
  /** the same for an OpenAPI source description */
  sourceAliases: 10_000,
  /** depth of nested mappings and sequences, in a document, a source description or a run's inputs */
  nestingDepth: 128,
  /** workflows in one document */
  workflows: 500,
  /** steps in one workflow */
  stepsPerWorkflow: 1_000,
  /** steps of every workflow one run can reach (the target, its dependsOn closure, the workflows it runs) */
  stepsPerRun: 5_000,
  /** workflow steps that run a workflow that runs a workflow …, counted statically over the plan (the interpreter
   * also stops a run whose child workflows nest deeper at run time) */
  subworkflowDepth: 32,
  /** a run's inputs, as JSON text, in bytes (inputs travel in workflow history, whose payloads Temporal caps at 2 MB) */
  inputBytes: 1024 * 1024,
  /** characters of a criterion's condition, as written and after `{$…}` substitution */
  conditionLength: 16 * 1024,
  /** parentheses and `!` nested in a condition (its parser recurses per level) */
  conditionNesting: 64,
  /** characters of the text a regex criterion is applied to; a longer context fails the criterion */
  regexSubject: 1024 * 1024,
  /** characters of the XML text an xpath criterion is applied to; a longer context fails the criterion */
  xpathSubject: 16 * 1024 * 1024,
} as const;

export type LimitCode = 'limit-size' | 'limit-aliases' | 'limit-depth' | 'limit-count' | 'not-utf8';

function limitError(code: LimitCode, message: string, pos: SourcePos, where: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'error', code, message, pos, ...where };
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
export function invalidUtf8Offset(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) ((n = 1), (min = 0x80));
    else if (c >= 0xe0 && c <= 0xef) ((n = 2), (min = 0x800));
    else if (c >= 0xf0 && c <= 0xf4) ((n = 3), (min = 0x10000));
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * The text of a document read as bytes: refused when over `maxBytes` or not UTF-8 (the offending line named).
 * A UTF-8 byte order mark is dropped.
 */
export function decodeDocument(bytes: Uint8Array, file: string, maxBytes: number = LIMITS.documentBytes): string {
  if (bytes.length > maxBytes) {
    throw new DocumentError([limitError('limit-size', `the document is ${bytes.length} bytes, over the ${mib(maxBytes)} limit`, { file })]);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new DocumentError([
      limitError('not-utf8', 'the document is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8', {
        file,
        line: 1,
        column: 1,
      }),
    ]);
  }
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) (line++, (lineStart = i + 1));
    const byte = bytes[bad].toString(16).padStart(2, '0');
    throw new DocumentError([
      limitError('not-utf8', `the document is not UTF-8: byte 0x${byte} at offset ${bad} does not start a valid UTF-8 sequence`, {
        file,
        line,
        column: bad - lineStart + 1,
      }),
    ]);
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function aliasLimitMessage(max: number): string {
  return `YAML aliases expand to more than ${max} nodes (an alias bomb, "billion laughs"?); write the values out or use fewer aliases`;
}

export function depthLimitMessage(what: string, max: number = LIMITS.nestingDepth): string {
  return `${what} nests more than ${max} levels deep`;
}

/**
 * Path to the first value nested deeper than `max` (mappings and sequences), or undefined. Iterative: a value
 * deep enough to overflow the stack of a recursive walk is what it looks for.
 */
export function tooDeepPath(value: unknown, max: number = LIMITS.nestingDepth): (string | number)[] | undefined {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  const seen = new Set<object>();
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v); // shared (aliased) nodes once; a cycle is refused elsewhere
    if (path.length >= max) return path;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }));
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: [...path, k] });
  }
  return undefined;
}

interface RawDocument {
  workflows?: unknown;
}

/** Number of workflows and steps of a parsed document, before the schema check spends time on a huge one. */
export function checkDocumentCounts(doc: unknown, file: string, locate: (path: (string | number)[]) => SourcePos): Diagnostic[] {
  const found: Diagnostic[] = [];
  const workflows = (doc as RawDocument | null)?.workflows;
  if (!Array.isArray(workflows)) return found;
  if (workflows.length > LIMITS.workflows) {
    found.push(
      limitError(
        'limit-count',
        `the document has ${workflows.length} workflows, over the limit of ${LIMITS.workflows}`,
        locate(['workflows', LIMITS.workflows]),
      ),
    );
  }
  workflows.forEach((w, i) => {
    const steps = (w as { steps?: unknown } | null)?.steps;
    const workflowId =
      typeof (w as { workflowId?: unknown })?.workflowId === 'string' ? (w as { workflowId: string }).workflowId : undefined;
    if (Array.isArray(steps) && steps.length > LIMITS.stepsPerWorkflow) {
      found.push(
        limitError(
          'limit-count',
          `the workflow has ${steps.length} steps, over the limit of ${LIMITS.stepsPerWorkflow}`,
          locate(['workflows', i, 'steps', LIMITS.stepsPerWorkflow]),
          { workflowId },
        ),
      );
    }
  });
  return found;
}

const childKey = (s: PlanStep) => (s.kind === 'workflow' ? s.workflow.key : undefined);

/** Steps of every workflow a run can reach, and how deep workflow steps nest (statically; cycles are left to the run). */
export function checkPlanLimits(plan: Plan, sites?: PlanSites): Diagnostic[] {
  const found: Diagnostic[] = [];
  const where = { workflowId: plan.workflowId };
  const file = plan.document.file;
  const all = [plan, ...Object.values(plan.workflows ?? {})];
  const total = all.reduce((n, p) => n + p.steps.length, 0);
  if (total > LIMITS.stepsPerRun) {
    found.push(
      limitError(
        'limit-count',
        `a run of this workflow can reach ${total} steps (in ${all.length} workflows), over the limit of ${LIMITS.stepsPerRun}`,
        { file },
        where,
      ),
    );
  }
  const byKey = plan.workflows ?? {};
  const memo = new Map<string, number>();
  // longest chain of workflow steps from a plan, iteratively (a chain is what could overflow a recursive walk)
  const depthOf = (root: string): number => {
    const onPath = new Set<string>();
    const stack: { key: string; next: number; children: string[] }[] = [];
    const push = (key: string) => {
      const p = byKey[key];
      const children = [...new Set((p?.steps ?? []).map(childKey).filter((k): k is string => !!k))];
      onPath.add(key);
      stack.push({ key, next: 0, children });
    };
    push(root);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next < top.children.length) {
        const child = top.children[top.next++];
        if (!memo.has(child) && !onPath.has(child)) push(child);
        continue;
      }
      const d = 1 + Math.max(0, ...top.children.map((c) => (onPath.has(c) && !memo.has(c) ? 0 : (memo.get(c) ?? 0))));
      memo.set(top.key, d);
      onPath.delete(top.key);
      stack.pop();
    }
    return memo.get(root) ?? 0;
  };
  const childKeys = [...new Set(plan.steps.map(childKey).filter((k): k is string => !!k))];
  const depth = Math.max(0, ...childKeys.map(depthOf));
  if (depth > LIMITS.subworkflowDepth) {
    const step = plan.steps.find((s) => s.kind === 'workflow' && memo.get(s.workflow.key) === depth);
    found.push(
      limitError(
        'limit-depth',
        `workflow steps run workflows ${depth} levels deep, over the limit of ${LIMITS.subworkflowDepth}`,
        (step && sites?.steps[step.stepId]?.pos) ?? { file },
        { ...where, ...(step ? { stepId: step.stepId } : {}) },
      ),
    );
  }
  return found;
}

/** A run's inputs: their size as JSON and their depth. */
export function checkInputLimits(plan: Plan, inputs: Record<string, unknown>): Diagnostic[] {
  const where = { workflowId: plan.workflowId };
  const pos = { file: plan.document.file };
  const deep = tooDeepPath(inputs);
  if (deep) return [limitError('limit-depth', `${depthLimitMessage(`input ${deep.slice(0, 3).join('.')}…`)}`, pos, where)];
  let bytes: number;
  try {
    bytes = new TextEncoder().encode(JSON.stringify(inputs) ?? '').length;
  } catch (e) {
    return [
      { severity: 'error', code: 'bad-input', message: `the inputs cannot be written as JSON: ${(e as Error).message}`, pos, ...where },
    ];
  }
  if (bytes > LIMITS.inputBytes)
    return [
      limitError(
        'limit-size',
        `the inputs are ${bytes} bytes as JSON, over the ${mib(LIMITS.inputBytes)} limit (pass a large file by reference, e.g. a URL)`,
        pos,
        where,
      ),
    ];
  return [];
}
