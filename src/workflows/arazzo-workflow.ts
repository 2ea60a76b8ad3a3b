// The interpreter workflow and its input and result types (the client imports the types from here).
export { arazzoWorkflow } from './interpreter';
export type { ArazzoRunInput, ArazzoRunResult, RunOptions } from './run';
export type { CompletedWorkflow, InterpreterState, TraceEntry } from './state';
