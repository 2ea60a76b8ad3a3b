// Every workflow a run can reach, across documents: one Compiler per document, each workflow compiled once
// under its key, dependsOn checked for cycles.
import { findCycles } from '../cycles';
import type { ArazzoDocument, Plan } from '../types';
import { Compiler } from './compiler';
import type { CompileOptions, PlanSites } from './types';

/**
 * Every workflow a run can reach, across documents: one Compiler per document (by location), each workflow compiled
 * once under its key, dependsOn checked for cycles.
 */
export class WorkflowSet {
  readonly compilers: Compiler[] = [];
  private readonly byFile = new Map<string, Compiler>();
  readonly plans = new Map<string, Plan>();
  /** keys compiled or queued */
  private readonly claimed = new Set<string>();
  /** keys some reference names */
  readonly referenced = new Set<string>();
  private readonly queue: { compiler: Compiler; index: number; key: string }[] = [];
  /** where each compiled workflow sits, by key */
  readonly sites: Record<string, PlanSites> = {};
  readonly edges = new Map<string, { deps: string[]; compiler: Compiler; path: (string | number)[]; workflowId: string }>();

  constructor(private readonly rootOverrides: Record<string, string> | undefined) {}

  compiler(doc: ArazzoDocument, opts: CompileOptions, prefix: string): Compiler {
    const hit = this.byFile.get(opts.file);
    if (hit) return hit;
    const compiler = new Compiler(doc, opts, this, prefix);
    this.byFile.set(opts.file, compiler);
    this.compilers.push(compiler);
    return compiler;
  }

  claim(key: string): void {
    this.claimed.add(key);
  }

  /** A workflow some reference names: compiled later, once. */
  request(compiler: Compiler, index: number, key: string): void {
    this.referenced.add(key);
    if (this.claimed.has(key)) return;
    this.claimed.add(key);
    this.queue.push({ compiler, index, key });
  }

  drain(): void {
    for (let item = this.queue.shift(); item; item = this.queue.shift()) {
      const plan = item.compiler.compileAt(item.index);
      if (plan) this.plans.set(item.key, plan);
    }
  }

  serverOverride(prefix: string, source: string): string | undefined {
    return this.rootOverrides?.[prefix + source] ?? this.rootOverrides?.[source];
  }

  /** Report every dependsOn cycle once, naming it: a → b → a. */
  checkCycles(): void {
    for (const cycle of findCycles(this.edges.keys(), (key) => this.edges.get(key)?.deps ?? [])) {
      const edge = this.edges.get(cycle[0]);
      edge?.compiler.report('error', 'dependency-cycle', `dependsOn cycle: ${cycle.join(' → ')}`, edge.path, {
        workflowId: edge.workflowId,
      });
    }
  }
}
