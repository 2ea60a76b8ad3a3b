// Activities registered by the worker. The workflow imports only their types.
export { runStep, cancelCreated } from './run-step';
