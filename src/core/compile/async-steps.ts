// AsyncAPI steps (Arazzo 1.1 `action: send | receive`): the channel resolved from `channelPath`
// ({$sourceDescriptions.<name>.url}#/channels/<key>) or from the `operationId` of an AsyncAPI operation, with its
// server and the correlationId locations its messages declare; a send step's header parameters and payload; a
// receive step's correlationId. Running them: src/workflows/async-steps.ts.
import { isAsyncApiSummary, type AsyncApiChannelSummary, type AsyncApiSummary } from '../asyncapi';
import type { PlanChannel, ReceiveStep, SendStep } from '../plan';
import type { ArazzoStep, ArazzoWorkflow } from '../types';
import { didYouMean } from '../suggest';
import type { Compiler } from './compiler';
import { parameters } from './parameters';
import { OPERATION_REF, type Where } from './types';

type Path = (string | number)[];
type Base = Omit<SendStep, 'kind' | 'operationId' | 'channel' | 'parameters' | 'payload' | 'contentType'>;
type Found = { source: string; spec: AsyncApiSummary; channel: AsyncApiChannelSummary; operationId?: string };

const asyncSources = (c: Compiler) =>
  Object.values(c.opts.sources).filter((s) => s.type === 'asyncapi' && isAsyncApiSummary(s.spec)) as {
    name: string;
    spec: AsyncApiSummary;
  }[];

/** A step that sends or receives: it has `action`, `channelPath` or `correlationId`, or its operationId names an AsyncAPI operation. */
export function isAsyncStep(c: Compiler, step: ArazzoStep): boolean {
  if (step.action !== undefined || step.channelPath !== undefined || step.correlationId !== undefined) return true;
  const ref = typeof step.operationId === 'string' ? step.operationId : undefined;
  const m = ref ? OPERATION_REF.exec(ref) : null;
  if (m) return c.opts.sources[m[1]]?.type === 'asyncapi';
  return ref !== undefined && c.ops.size === 0 && asyncSources(c).some((s) => s.spec.operations.some((o) => o.operationId === ref));
}

function byChannelPath(c: Compiler, ref: string, at: Path, where: Where): Found | undefined {
  const m = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#\/channels\/(.+)$/.exec(ref);
  const source = m ? c.opts.sources[m[1]] : undefined;
  if (!m || !source || source.type !== 'asyncapi') {
    const message = `channelPath "${ref}" must look like {$sourceDescriptions.<name>.url}#/channels/<channel> and name a declared asyncapi source`;
    c.report('error', 'bad-channel-path', message, at, where);
    return undefined;
  }
  if (!isAsyncApiSummary(source.spec)) return unavailable(c, source, at, where);
  const key = decodeURIComponent(m[2]).replace(/~1/g, '/').replace(/~0/g, '~');
  const channel = source.spec.channels.find((ch) => ch.name === key);
  if (!channel) {
    const near = didYouMean(
      key,
      source.spec.channels.map((ch) => ch.name),
    );
    c.report('error', 'unknown-channel', `channelPath "${ref}": ${source.location} has no channel "${key}"${near}`, at, where);
    return undefined;
  }
  return { source: source.name, spec: source.spec, channel };
}

function byOperationId(c: Compiler, ref: string, at: Path, where: Where): Found | undefined {
  const m = OPERATION_REF.exec(ref);
  const named = m ? c.opts.sources[m[1]] : undefined;
  if (m && (!named || named.type !== 'asyncapi')) {
    c.report(
      'error',
      'unknown-source',
      `operationId "${ref}" of an AsyncAPI step names "${m[1]}", which is not an asyncapi source description`,
      at,
      where,
    );
    return undefined;
  }
  if (named && !isAsyncApiSummary(named.spec)) return unavailable(c, named, at, where);
  const opId = m ? m[2] : ref;
  const candidates = asyncSources(c)
    .filter((s) => !m || s.name === m[1])
    .flatMap((s) => s.spec.operations.filter((o) => o.operationId === opId).map((o) => ({ s, o })));
  if (candidates.length !== 1) {
    const known = asyncSources(c).flatMap((s) => s.spec.operations.map((o) => o.operationId));
    const why = candidates.length
      ? 'is defined in several AsyncAPI sources; name one'
      : `is not an operation of any AsyncAPI source${didYouMean(opId, known)}`;
    c.report('error', candidates.length ? 'ambiguous-operation' : 'unknown-operation', `operationId "${ref}" ${why}`, at, where);
    return undefined;
  }
  const { s, o } = candidates[0];
  const channel = s.spec.channels.find((ch) => ch.name === o.channel);
  if (!channel) c.report('error', 'unknown-channel', `AsyncAPI operation "${opId}" has no channel`, at, where);
  return channel && { source: s.name, spec: s.spec, channel, operationId: opId };
}

function unavailable(c: Compiler, source: { name: string; location: string; loadError?: string }, at: Path, where: Where): undefined {
  const message = `source description "${source.name}" (${source.location}) could not be loaded: ${source.loadError ?? 'unknown error'}`;
  c.report('error', 'source-unavailable', message, at, where);
  return undefined;
}

/** The channel as the plan carries it, its server URL replaced by a --server override of its source. */
function planChannel(c: Compiler, found: Found): PlanChannel {
  const override = c.set.serverOverride(c.prefix, found.source);
  const first = found.channel.servers[0];
  const server = override ? { protocol: override.split(':')[0].toLowerCase(), url: override } : first;
  const correlationLocations = [...new Set(found.channel.messages.flatMap((msg) => (msg.correlationId ? [msg.correlationId] : [])))];
  return {
    source: found.source,
    name: found.channel.name,
    address: found.channel.address,
    ...(server && { server }),
    correlationLocations,
  };
}

/** `$message` is what a receive step received: anywhere else it is always empty. */
export function warnMessageOutsideReceive(c: Compiler, step: ArazzoStep, path: Path, where: Where): void {
  const { stepId: _id, description: _d, ...rest } = step;
  if (!/\$message\./.test(JSON.stringify(rest))) return;
  const message = `$message is the message a receive step (action: receive) received; in this step it is always empty`;
  c.report('warning', 'message-outside-receive', message, path, where);
}

/** Compile a send or receive step; `base` compiles what every step has. */
export function asyncStep(
  c: Compiler,
  site: { wf: ArazzoWorkflow; step: ArazzoStep; path: Path; where: Where },
  base: () => Base,
): SendStep | ReceiveStep | undefined {
  const { wf, step, path, where } = site;
  const found =
    step.channelPath !== undefined
      ? byChannelPath(c, String(step.channelPath), [...path, 'channelPath'], where)
      : typeof step.operationId === 'string'
        ? byOperationId(c, step.operationId, [...path, 'operationId'], where)
        : (c.report('error', 'no-target', 'an AsyncAPI step needs channelPath or the operationId of an AsyncAPI operation', path, where),
          undefined);
  if (step.action !== 'send' && step.action !== 'receive') {
    c.report(
      'error',
      'bad-action',
      `an AsyncAPI step needs action: send or receive (found ${JSON.stringify(step.action)})`,
      [...path, 'action'],
      where,
    );
    return undefined;
  }
  const common = { ...base(), ...(found?.operationId && { operationId: found.operationId }) };
  if (!found) return undefined;
  const channel = planChannel(c, found);
  if (step.action === 'send') {
    warnMessageOutsideReceive(c, step, path, where);
    const message = 'correlationId applies to receive steps; a send step sets it in its headers or payload';
    c.ignored(step, 'correlationId', 'ignored-correlation-id', message, path, where);
    const params = parameters(c, wf, step, path, where);
    const body = step.requestBody;
    return {
      ...common,
      kind: 'send',
      channel,
      parameters: params,
      payload: body?.payload,
      ...(body?.contentType && { contentType: body.contentType }),
    };
  }
  checkCorrelation(c, step, channel, path, where);
  return { ...common, kind: 'receive', channel, ...(step.correlationId !== undefined && { correlationId: String(step.correlationId) }) };
}

/** A receive step's correlationId must be matchable: the channel's messages say where they carry it. */
function checkCorrelation(c: Compiler, step: ArazzoStep, channel: PlanChannel, path: Path, where: Where): void {
  if (step.correlationId !== undefined && channel.correlationLocations.length === 0)
    c.report(
      'error',
      'no-correlation-location',
      `channel "${channel.name}" declares no correlationId location in its messages, so no message can match the step's correlationId`,
      [...path, 'correlationId'],
      where,
    );
  if (step.correlationId === undefined && channel.correlationLocations.length > 0)
    c.report(
      'error',
      'missing-correlation-id',
      `channel "${channel.name}" correlates its messages by ${channel.correlationLocations.join(', ')}: a receive step on it needs correlationId`,
      path,
      where,
    );
}
