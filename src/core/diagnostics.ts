// How findings are shown to people, and the error that carries them.
import type { Diagnostic } from './types';

export function formatDiagnostic(d: Diagnostic): string {
  const pos = d.pos ? `${d.pos.file}${d.pos.line ? `:${d.pos.line}:${d.pos.column ?? 1}` : ''}` : '';
  const where = [d.workflowId && `workflow ${d.workflowId}`, d.stepId && `step ${d.stepId}`].filter(Boolean).join(', ');
  return `${pos ? pos + ': ' : ''}${d.severity} [${d.code}]${where ? ` (${where})` : ''}: ${d.message}`;
}

export function hasErrors(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Thrown before anything starts when a document or its inputs are not runnable. */
export class DocumentError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(errors.map(formatDiagnostic).join('\n') || 'document is not runnable');
    this.name = 'DocumentError';
  }
}
