// The webhook receiver (`arazzo-temporal webhooks`, also inside `dev`): an HTTP server that takes Standard Webhooks
// deliveries (webhook-id, webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256>", a whsec_ secret),
// verifies them with the `standardwebhooks` package, and routes each event by its path to the AsyncAPI channel of
// that address and, by the correlationId location its messages declare, to its correlation mailbox
// (Signal-With-Start, src/activities/mailbox-delivery.ts). A bad signature gets 401, a stale or future timestamp
// or missing headers 400; 2xx only once the mailbox has the event, so the sender retries anything else. The
// secret is never logged.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { ReceivedMessage } from '../core/asyncapi';
import { deliverMessage } from '../activities/mailbox-delivery';
import { summarizeAsyncApi } from '../load/asyncapi';

const MAX_BODY = 1024 * 1024;

export interface WebhookChannel {
  address: string;
  correlationLocations: string[];
}

export interface WebhookServerOptions {
  port: number;
  host?: string;
  /** the whsec_… signing secret */
  secret: string;
  client: Client;
  /** the workflow task queue (where the mailboxes run) */
  taskQueue: string;
  /** the channels events are routed by, by address (see channelsOf) */
  channels: WebhookChannel[];
  log?: (line: string) => void;
}

export interface WebhookStats {
  received: number;
  delivered: number;
  /** refused by status code: 400, 401, 404, … */
  refused: Record<number, number>;
  /** verified events that carried no correlation value: acknowledged, logged, routed nowhere */
  unrouted: number;
}

export interface WebhookServer {
  url: string;
  port: number;
  stats: WebhookStats;
  close(): Promise<void>;
}

/** The channels of AsyncAPI descriptions an HTTP receiver routes: each channel's address, with its correlation locations. */
export async function channelsOf(files: string[]): Promise<WebhookChannel[]> {
  const out: WebhookChannel[] = [];
  for (const file of files) {
    const summary = await summarizeAsyncApi(await readFile(file, 'utf8'), file);
    for (const ch of summary.channels) {
      const locations = [...new Set(ch.messages.flatMap((m) => (m.correlationId ? [m.correlationId] : [])))];
      out.push({ address: ch.address, correlationLocations: locations });
    }
  }
  return out;
}

const normalize = (path: string) => '/' + path.replace(/^\/+|\/+$/g, '');

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) resolve(undefined);
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** What a refused delivery is told: a timestamp or header problem is 400, a signature that does not match 401. */
function refusal(err: WebhookVerificationError): { status: number; reason: string } {
  if (/timestamp/i.test(err.message) || /missing|invalid signature headers/i.test(err.message)) return { status: 400, reason: err.message };
  return { status: 401, reason: 'the signature does not match' };
}

const HEADERS_KEPT = ['webhook-id', 'webhook-timestamp', 'content-type', 'user-agent'];

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  if (!/^whsec_/.test(opts.secret)) throw new Error('the webhook secret must be a Standard Webhooks secret (whsec_<base64>)');
  const verifier = new Webhook(opts.secret);
  const log = opts.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const routes = new Map(opts.channels.map((c) => [normalize(c.address), c]));
  const stats: WebhookStats = { received: 0, delivered: 0, refused: {}, unrouted: 0 };
  const answer = (res: import('node:http').ServerResponse, status: number, body: Record<string, unknown>) => {
    if (status >= 400) stats.refused[status] = (stats.refused[status] ?? 0) + 1;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server: Server = createServer(async (req, res) => {
    stats.received++;
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method !== 'POST') return answer(res, 405, { error: 'deliveries are POST requests' });
    const channel = routes.get(path);
    if (!channel) return answer(res, 404, { error: `no AsyncAPI channel has the address ${path}` });
    const body = await readBody(req);
    if (!body) return answer(res, 413, { error: `the body is over ${MAX_BODY} bytes` });
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    let payload: unknown;
    try {
      payload = verifier.verify(body.toString('utf8'), headers);
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) return answer(res, 400, { error: `the body is not JSON: ${(err as Error).message}` });
      const { status, reason } = refusal(err);
      log(`webhooks: refused a delivery to ${path} (${status}): ${reason}`);
      return answer(res, status, { error: reason });
    }
    const header = Object.fromEntries(HEADERS_KEPT.filter((h) => headers[h]).map((h) => [h, headers[h]]));
    const message: ReceivedMessage = { id: headers['webhook-id'], header, payload };
    try {
      const boxes = await deliverMessage(opts.client, opts.taskQueue, channel, message);
      if (!boxes.length) {
        stats.unrouted++;
        log(
          `webhooks: event ${message.id} on ${path} carries no correlation value (${channel.correlationLocations.join(', ')}); acknowledged, routed nowhere`,
        );
        return answer(res, 202, { delivered: [] });
      }
      stats.delivered++;
      return answer(res, 200, { delivered: boxes });
    } catch (err) {
      log(`webhooks: could not deliver event ${message.id} on ${path}: ${(err as Error).message}`);
      return answer(res, 503, { error: 'the event could not be stored; deliver it again' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    stats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
