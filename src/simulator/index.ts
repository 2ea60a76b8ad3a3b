// Public surface of the provider simulator.
export { startSimulator, type RequestLogEntry, type Simulator, type SimulatorOptions } from './server';
export { TIMING_PRESETS, type SimulatorTiming, type TimingInput, type TimingPreset } from './timing';
export type { FaultKind, FaultOptions, FaultRule } from './faults';
export { EXPIRE_MODEL, FAIL_MODEL, type OutcomeOverrides } from './outcomes';
export type { OpenAIFile } from './openai-files';
export type { OpenAIBatch } from './openai-batches';
export type { FineTuningJob } from './openai-fine-tuning';
export type { MessageBatch } from './anthropic-batches';
export { startWebhookDelivery, type WebhookDelivery, type WebhookDeliveryOptions, type WebhookEvent } from './webhooks';
