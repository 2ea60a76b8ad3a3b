// Plausible response bodies for the requests inside a batch. Deterministic: the reply text echoes the prompt.
import { hash32, seededRandom, type IdFactory } from './ids';
import { isObject } from './http';

const REPLY_PREFIX = 'Simulated reply to: ';

function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The text of the last message (OpenAI chat / Anthropic messages; string or content-part array). */
function lastMessageText(messages: unknown): string {
  if (!Array.isArray(messages) || messages.length === 0) return '';
  return contentText((messages[messages.length - 1] as Record<string, unknown> | undefined)?.content);
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : ''))
      .filter(Boolean)
      .join(' ');
  }
  return '';
}

function promptText(body: Record<string, unknown>): string {
  if (body.messages !== undefined) return lastMessageText(body.messages);
  for (const key of ['input', 'prompt'] as const) {
    const v = body[key];
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : contentText(isObject(x) ? x.content : ''))).join(' ');
  }
  return JSON.stringify(body).slice(0, 200);
}

function replyText(prompt: string): string {
  const p = prompt.replace(/\s+/g, ' ').trim();
  return REPLY_PREFIX + (p.length > 80 ? `${p.slice(0, 80)}…` : p);
}

function embedding(text: string, dims = 8): number[] {
  const rand = seededRandom(hash32(text));
  return Array.from({ length: dims }, () => Math.round((rand() * 2 - 1) * 1e6) / 1e6);
}

/** The body an OpenAI endpoint would have returned for one batch line. */
/** What every simulated OpenAI response body is made from. */
interface Reply {
  body: Record<string, unknown>;
  model: string;
  text: string;
  inTok: number;
  outTok: number;
  ids: IdFactory;
  createdSec: number;
}

const usage = (r: Reply) => ({ prompt_tokens: r.inTok, completion_tokens: r.outTok, total_tokens: r.inTok + r.outTok });

/** The response body of each endpoint a batch line may name, as OpenAI answers it. */
const OPENAI_BODIES: Record<string, (r: Reply) => unknown> = {
  '/v1/chat/completions': (r) => ({
    id: r.ids.next('chatcmpl-'),
    object: 'chat.completion',
    created: r.createdSec,
    model: r.model,
    choices: [
      { index: 0, message: { role: 'assistant', content: r.text, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: {
      ...usage(r),
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_simulator',
  }),
  '/v1/embeddings': (r) => {
    const inputs = Array.isArray(r.body.input) ? r.body.input : [r.body.input];
    return {
      object: 'list',
      data: inputs.map((x, index) => ({ object: 'embedding', index, embedding: embedding(String(x)) })),
      model: r.model,
      usage: { prompt_tokens: r.inTok, total_tokens: r.inTok },
    };
  },
  '/v1/completions': (r) => ({
    id: r.ids.next('cmpl-'),
    object: 'text_completion',
    created: r.createdSec,
    model: r.model,
    choices: [{ index: 0, text: r.text, logprobs: null, finish_reason: 'stop' }],
    usage: usage(r),
  }),
  '/v1/responses': (r) => ({
    id: r.ids.next('resp_'),
    object: 'response',
    created_at: r.createdSec,
    status: 'completed',
    model: r.model,
    output: [
      {
        type: 'message',
        id: r.ids.next('msg_'),
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: r.text, annotations: [] }],
      },
    ],
    usage: {
      input_tokens: r.inTok,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: r.outTok,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: r.inTok + r.outTok,
    },
  }),
  '/v1/moderations': (r) => ({
    id: r.ids.next('modr-'),
    model: r.model,
    results: [{ flagged: false, categories: {}, category_scores: {} }],
  }),
};

export function openaiResponseBody(endpoint: string, body: Record<string, unknown>, ids: IdFactory, createdSec: number): unknown {
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  const prompt = promptText(body);
  const text = replyText(prompt);
  const reply: Reply = { body, model, text, inTok: tokens(prompt), outTok: tokens(text), ids, createdSec };
  // /v1/images/*, /v1/videos: a minimal object; nothing downstream reads these.
  return (
    (Object.hasOwn(OPENAI_BODIES, endpoint) ? OPENAI_BODIES[endpoint] : undefined) ??
    ((r: Reply) => ({ created: r.createdSec, model: r.model, data: [{ revised_prompt: r.text }] }))
  )(reply);
}

/** A full Anthropic Message for one succeeded batch request. */
export function anthropicMessage(params: Record<string, unknown>, ids: IdFactory): unknown {
  const prompt = lastMessageText(params.messages);
  const text = replyText(prompt);
  return {
    id: ids.next('msg_01'),
    type: 'message',
    role: 'assistant',
    model: params.model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: tokens(prompt),
      output_tokens: tokens(text),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      service_tier: 'batch',
    },
  };
}
