// Webhook delivery, as OpenAI does it: when a batch or a fine-tuning job reaches a terminal status, an event
// `{id, object: "event", created_at, type, data: {id}}` (batch.completed|failed|expired|cancelled,
// fine_tuning.job.succeeded|failed|cancelled; OpenAI API reference, Webhook Events) is POSTed to the configured URL,
// signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256>", with a
// whsec_ secret; the `standardwebhooks` package signs). Delivery is at least once: a non-2xx answer or a network
// error is retried with backoff (OpenAI retries for up to 72 hours; here a few times). Faults for tests and demos:
// extra copies of each event (same webhook-id), a delay, newest-first order within a scan, and losing events.
// The simulator computes its state lazily; this scans it on a timer, without requests (they are not in its log).
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Simulator } from './server';

export interface WebhookDeliveryOptions {
  /** where events are POSTed, e.g. http://127.0.0.1:8088/webhooks/openai */
  url: string;
  /** the whsec_… secret events are signed with */
  secret: string;
  /** copies of each event sent after the first delivery, same webhook-id (default 0) */
  duplicates?: number;
  /** wait before the first delivery of an event (default 0) */
  delayMs?: number;
  /** events found in the same scan go out newest first (default false) */
  reorder?: boolean;
  /** lose events: every one (true), or the first N (a number) (default false) */
  lose?: boolean | number;
  /** delays of the retries after a failed attempt (default 0.5 s, 1 s, 2 s, 5 s, 10 s) */
  retryDelaysMs?: number[];
  /** how often the simulator's objects are scanned for terminal statuses (default 200 ms) */
  intervalMs?: number;
  log?: (line: string) => void;
}

export interface WebhookEvent {
  id: string;
  object: 'event';
  created_at: number;
  type: string;
  data: { id: string };
}

export interface WebhookDelivery {
  /** every event generated, oldest first, with what became of it */
  readonly events: { event: WebhookEvent; lost: boolean; attempts: number[]; delivered: number }[];
  /** POST an event now (signed), as the deliverer does; returns the status (tests: out-of-band deliveries) */
  send(event: WebhookEvent): Promise<number>;
  stop(): Promise<void>;
}

const BATCH_TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);
const JOB_TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

type Entry = WebhookDelivery['events'][number];

class Deliverer implements WebhookDelivery {
  readonly events: Entry[] = [];
  private readonly signer: Webhook;
  private readonly seen = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly retries: number[];
  private readonly tick: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly sim: Pick<Simulator, 'state'>,
    private readonly opts: WebhookDeliveryOptions,
  ) {
    this.signer = new Webhook(opts.secret);
    this.retries = opts.retryDelaysMs ?? [500, 1000, 2000, 5000, 10_000];
    this.tick = setInterval(() => this.stopped || this.scan(), opts.intervalMs ?? 200);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  async send(event: WebhookEvent): Promise<number> {
    const body = JSON.stringify(event);
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': this.signer.sign(event.id, now, body),
    };
    try {
      const res = await fetch(this.opts.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      return res.status;
    } catch {
      return 0;
    }
  }

  /** Deliver until a 2xx (at least once), then the configured duplicates. */
  private deliver(entry: Entry, attempt = 0, copies = this.opts.duplicates ?? 0): void {
    const p = this.send(entry.event).then((status) => {
      entry.attempts.push(status);
      if (status >= 200 && status < 300) {
        entry.delivered++;
        if (copies > 0) this.later(50, () => this.deliver(entry, 0, copies - 1));
      } else if (attempt < this.retries.length) {
        this.opts.log?.(`simulator webhooks: ${entry.event.type} ${entry.event.id} → ${status || 'no answer'}; retrying`);
        this.later(this.retries[attempt], () => this.deliver(entry, attempt + 1, copies));
      } else this.opts.log?.(`simulator webhooks: gave up on ${entry.event.type} ${entry.event.id}`);
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private lost(): boolean {
    const lose = this.opts.lose;
    return lose === true || (typeof lose === 'number' && this.events.filter((e) => e.lost).length < lose);
  }

  private event(kind: string, id: string, status: string, at: number | null | undefined): WebhookEvent | undefined {
    if (this.seen.has(id)) return undefined;
    this.seen.add(id);
    const created = at ?? Math.floor(Date.now() / 1000);
    return { id: `evt_${randomBytes(12).toString('hex')}`, object: 'event', created_at: created, type: `${kind}.${status}`, data: { id } };
  }

  private scan(): void {
    const found: (WebhookEvent | undefined)[] = [];
    for (const b of this.sim.state.batches())
      if (BATCH_TERMINAL.has(b.status))
        found.push(this.event('batch', b.id, b.status, b.completed_at ?? b.failed_at ?? b.expired_at ?? b.cancelled_at));
    for (const j of this.sim.state.fineTuningJobs())
      if (JOB_TERMINAL.has(j.status)) found.push(this.event('fine_tuning.job', j.id, j.status, j.finished_at));
    if (this.opts.reorder) found.reverse();
    for (const event of found) {
      if (!event) continue;
      const entry: Entry = { event, lost: this.lost(), attempts: [], delivered: 0 };
      this.events.push(entry);
      if (entry.lost) this.opts.log?.(`simulator webhooks: ${event.type} for ${event.data.id} lost (not delivered)`);
      else this.later(this.opts.delayMs ?? 0, () => this.deliver(entry));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tick);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}

export function startWebhookDelivery(sim: Pick<Simulator, 'state'>, opts: WebhookDeliveryOptions): WebhookDelivery {
  return new Deliverer(sim, opts);
}
