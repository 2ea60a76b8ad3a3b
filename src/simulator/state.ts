// Everything a simulator remembers, behind one object so reset() can swap in a fresh one.
import type { Route } from './http';
import { IdFactory } from './ids';
import { MessageBatchStore } from './anthropic-batches';
import { BifrostGateway } from './bifrost';
import { BatchStore } from './openai-batches';
import { FileStore } from './openai-files';
import { FineTuningStore } from './openai-fine-tuning';
import type { SimConfig } from './outcomes';

export type RouteMatch = { route: Route; params: Record<string, string> };

export class SimState {
  readonly ids = new IdFactory();
  readonly files: FileStore;
  readonly batches: BatchStore;
  readonly fineTuning: FineTuningStore;
  readonly messageBatches: MessageBatchStore;
  private readonly routes: Route[];

  constructor(config: SimConfig) {
    this.files = new FileStore(this.ids);
    this.batches = new BatchStore(this.ids, this.files, config);
    this.fineTuning = new FineTuningStore(this.ids, this.files, config);
    this.messageBatches = new MessageBatchStore(this.ids, config);
    // the gateway keeps no state of its own: it calls the simulated providers over loopback
    const gateway = new BifrostGateway(config);
    this.routes = [
      ...this.files.routes(),
      ...this.batches.routes(),
      ...this.fineTuning.routes(),
      ...this.messageBatches.routes(),
      ...gateway.routes(),
    ];
  }

  /** Applies every lifecycle transition due by `now` (state is computed lazily, there are no timers). */
  advance(now: number): void {
    this.batches.advance(now);
    this.fineTuning.advance(now);
    this.messageBatches.advance(now);
  }

  match(method: string, path: string): RouteMatch | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (m) return { route, params: { ...m.groups } };
    }
    return null;
  }
}
