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
export function openaiResponseBody(endpoint: string, body: Record<string, unknown>, ids: IdFactory, createdSec: number): unknown {
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  const prompt = promptText(body);
  const text = replyText(prompt);
  const inTok = tokens(prompt);
  const outTok = tokens(text);
  switch (endpoint) {
    case '/v1/chat/completions':
      return {
        id: ids.next('chatcmpl-'),
        object: 'chat.completion',
        created: createdSec,
        model,
        choices: [
          { index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' },
        ],
        usage: {
          prompt_tokens: inTok,
          completion_tokens: outTok,
          total_tokens: inTok + outTok,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
        service_tier: 'default',
        system_fingerprint: 'fp_simulator',
      };
    case '/v1/embeddings': {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      return {
        object: 'list',
        data: inputs.map((x, index) => ({ object: 'embedding', index, embedding: embedding(String(x)) })),
        model,
        usage: { prompt_tokens: inTok, total_tokens: inTok },
      };
    }
    case '/v1/completions':
      return {
        id: ids.next('cmpl-'),
        object: 'text_completion',
        created: createdSec,
        model,
        choices: [{ index: 0, text, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: inTok, completion_tokens: outTok, total_tokens: inTok + outTok },
      };
    case '/v1/responses':
      return {
        id: ids.next('resp_'),
        object: 'response',
        created_at: createdSec,
        status: 'completed',
        model,
        output: [
          {
            type: 'message',
            id: ids.next('msg_'),
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ],
        usage: {
          input_tokens: inTok,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: outTok,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: inTok + outTok,
        },
      };
    case '/v1/moderations':
      return {
        id: ids.next('modr-'),
        model,
        results: [{ flagged: false, categories: {}, category_scores: {} }],
      };
    default:
      // /v1/images/*, /v1/videos: a minimal object; nothing downstream reads these.
      return { created: createdSec, model, data: [{ revised_prompt: text }] };
  }
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
