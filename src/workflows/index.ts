// Workflows registered by the worker (bundled into the sandbox).
export { arazzoWorkflow } from './arazzo-workflow';
export { arazzoMailbox } from './mailbox';
