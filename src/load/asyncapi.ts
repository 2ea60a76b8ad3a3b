// AsyncAPI source descriptions (`type: asyncapi`), parsed and validated with @asyncapi/parser (AsyncAPI 2.x and
// 3.0), then summarized as the compiler needs them (src/core/asyncapi.ts): channels with their address, servers
// and messages' correlationId locations, and operations with their action and channel.
import type { Parser } from '@asyncapi/parser';
import type { AsyncApiSummary } from '../core/asyncapi';

let parser: Parser | undefined;

/** The summary of an AsyncAPI description; throws naming the file and the first errors when it is not valid. */
export async function summarizeAsyncApi(text: string, file: string): Promise<AsyncApiSummary> {
  // loaded for the first AsyncAPI source only (it is a large library: spectral, rxjs, …)
  parser ??= new (require('@asyncapi/parser') as typeof import('@asyncapi/parser')).Parser();
  const { document, diagnostics } = await parser.parse(text, { source: file });
  const errors = diagnostics.filter((d) => d.severity === 0);
  if (!document || errors.length) {
    const first = errors
      .slice(0, 3)
      .map((d) => `${d.range ? `line ${d.range.start.line + 1}: ` : ''}${d.message}${d.path.length ? ` (at ${d.path.join('.')})` : ''}`);
    throw new Error(`not a valid AsyncAPI description: ${first.join('; ') || 'the parser returned no document'}`);
  }
  const channels = document
    .channels()
    .all()
    .map((ch) => ({
      name: ch.id(),
      address: ch.address() ?? ch.id(),
      servers: ch
        .servers()
        .all()
        .map((s) => ({ protocol: s.protocol(), url: s.url() })),
      messages: ch
        .messages()
        .all()
        .map((m) => ({ name: m.id(), ...(m.correlationId()?.location() && { correlationId: m.correlationId()!.location() }) })),
    }));
  const operations = document
    .operations()
    .all()
    .map((op) => ({
      operationId: op.id() ?? '',
      action: op.action(),
      channel: op.channels().all()[0]?.id() ?? '',
    }));
  return { asyncapiSummary: true, version: document.version(), channels, operations };
}
