// What the validating_files phase of a fine-tuning job rejects in a chat-format training file.
import { isObject } from './http';

/**
 * "To fine-tune a model, you are required to provide at least 10 examples" (fine-tuning guide,
 * https://platform.openai.com/docs/guides/fine-tuning "Preparing your dataset"); fewer fails the job while
 * validating files with code `invalid_n_examples` (the error as users report it; exact message unverified).
 */
export const MIN_EXAMPLES = 10;
/** Chat-format roles of a training example (chat fine-tuning input format, https://platform.openai.com/docs/api-reference/fine-tuning/chat-input, linked from the createFile description). */
export const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];
/** What the validating_files phase rejects in a chat-format training file, or null. */
export function trainingFileProblem(text: string): { code: string; message: string } | null {
  const rows = text.split('\n');
  let examples = 0;
  for (const [i, row] of rows.entries()) {
    if (row.trim() === '') continue;
    const line = i + 1;
    let item: unknown;
    try {
      item = JSON.parse(row);
    } catch {
      return { code: 'invalid_training_file', message: `The training file is not valid JSONL: line ${line} is not valid JSON.` };
    }
    if (!isObject(item))
      return { code: 'invalid_training_file', message: `The training file is not valid JSONL: line ${line} is not a JSON object.` };
    const shape = messagesProblem(item.messages);
    if (shape) return { code: 'invalid_training_file', message: `Invalid training example on line ${line}: ${shape}` };
    examples++;
  }
  if (examples < MIN_EXAMPLES) {
    return {
      code: 'invalid_n_examples',
      message: `Training file has ${examples} example(s), but must have at least ${MIN_EXAMPLES} examples`,
    };
  }
  return null;
}

/** A chat example: `messages` is a non-empty list of {role, content}, with at least one assistant message. */
export function messagesProblem(messages: unknown): string | null {
  if (!Array.isArray(messages) || messages.length === 0) return "'messages' must be a non-empty list.";
  for (const [i, m] of messages.entries()) {
    if (!isObject(m) || typeof m.role !== 'string' || !ROLES.includes(m.role)) return `messages[${i}] has no valid 'role'.`;
    const toolCall = m.role === 'assistant' && (Array.isArray(m.tool_calls) || isObject(m.function_call));
    if (typeof m.content !== 'string' && !Array.isArray(m.content) && !toolCall) return `messages[${i}] has no 'content'.`;
  }
  if (!messages.some((m) => (m as Record<string, unknown>).role === 'assistant'))
    return 'the example has no assistant message to learn from.';
  return null;
}
