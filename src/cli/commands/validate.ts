// validate and graph: check documents without starting anything.
import { Option, type Command } from 'commander';
import { DocumentError, formatDiagnostic } from '../../core/diagnostics';
import { planToMermaid } from '../../core/graph';
import type { Diagnostic } from '../../core/types';
import { checkInputs, prepareDocument, type Prepared } from '../../load/prepare';
import { displayLocation, readFilesSynchronously } from '../../load/read-source';
import { expandGlobs } from '../glob';
import { printWarnings, runRequest, SilentFailure, UsageError, withRunFlags, type RunFlags } from '../shared';

/** A GitHub Actions workflow command for a finding: an annotation on the file and line. */
function githubAnnotation(d: Diagnostic): string {
  const esc = (v: string) => v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (v: string) => esc(v).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const where = [
    d.pos?.file && `file=${prop(d.pos.file)}`,
    d.pos?.line && `line=${d.pos.line}`,
    d.pos?.column && `col=${d.pos.column}`,
    `title=${prop(d.code)}`,
  ]
    .filter(Boolean)
    .join(',');
  const scope = [d.workflowId && `workflow ${d.workflowId}`, d.stepId && `step ${d.stepId}`].filter(Boolean).join(', ');
  return `::${d.severity === 'error' ? 'error' : 'warning'} ${where}::${esc(`${scope ? `(${scope}) ` : ''}${d.message}`)}`;
}

export function registerValidate(program: Command): void {
  withRunFlags(program.command('validate <documents...>'))
    .description(
      'check documents (and inputs, if given) without starting anything; prints warnings and errors with file:line. Several files or a quoted glob ("arazzo/**/*.yaml") are checked in one process',
    )
    .option('--json', 'print the findings as JSON (several documents: a list of {file, valid, diagnostics})')
    .option('--graph', 'print a Mermaid flowchart of the workflow on stdout (findings go to stderr); one document only')
    .option(
      '--offline',
      'fetch no remote (http/https) source description: what the document asks of one is listed as not checked; local sources are still read',
    )
    .addOption(
      new Option('--format <format>', 'text, or github: GitHub Actions annotations (::error file=…,line=…::…) on stdout')
        .choices(['text', 'github'])
        .default('text'),
    )
    .action(validateAction);
}

type ValidateFlags = RunFlags & { json?: boolean; graph?: boolean; offline?: boolean; format: 'text' | 'github' };
interface Checked {
  file: string;
  valid: boolean;
  diagnostics: Diagnostic[];
  inputs?: Record<string, unknown>;
  prepared?: Prepared;
}

async function validateAction(patterns: string[], flags: ValidateFlags): Promise<void> {
  readFilesSynchronously(); // this process does nothing else meanwhile
  const documents = await expandGlobs(patterns);
  if (flags.graph && documents.length > 1) throw new UsageError('--graph takes one document');
  const withInputs = !!(flags.input.length || flags.inputs || flags.secret.length);
  const results: Checked[] = [];
  for (const document of documents) {
    const req = runRequest(document, flags);
    try {
      const prepared = await prepareDocument(document, { ...req, offline: flags.offline });
      const inputs = withInputs ? checkInputs(prepared.plan, req.inputs ?? {}, prepared.locate, prepared.workflowPath) : undefined;
      results.push({ file: prepared.plan.document.file, valid: true, diagnostics: prepared.diagnostics, inputs, prepared });
    } catch (err) {
      if (!(err instanceof DocumentError)) throw err;
      results.push({ file: displayLocation(document), valid: false, diagnostics: err.diagnostics });
    }
  }
  if (flags.json) printJsonResults(results, flags);
  else if (flags.format === 'github') printGithubResults(results);
  else printTextResults(results, flags);
  if (results.some((r) => !r.valid)) throw new SilentFailure();
}

function printJsonResults(results: Checked[], flags: ValidateFlags): void {
  const shown = results.map(({ file, valid, diagnostics, inputs, prepared }) => ({
    file,
    valid,
    diagnostics,
    ...(inputs && { inputs }),
    ...(prepared?.notChecked && { notChecked: prepared.notChecked }),
    ...(flags.graph && prepared && { graph: planToMermaid(prepared.plan, { sites: prepared.sites[prepared.plan.workflowId] }) }),
  }));
  process.stdout.write(JSON.stringify(results.length === 1 ? shown[0] : shown, null, 2) + '\n');
}

function printGithubResults(results: Checked[]): void {
  for (const r of results) for (const d of r.diagnostics) process.stdout.write(githubAnnotation(d) + '\n');
  for (const r of results)
    for (const n of r.prepared?.notChecked ?? [])
      process.stdout.write(
        `::notice file=${r.file},title=not checked::source description "${n.name}" (${n.location}) was not fetched (--offline): its operations are not checked\n`,
      );
}

function printTextResults(results: Checked[], flags: ValidateFlags): void {
  for (const r of results) {
    if (!r.valid) {
      process.stderr.write(
        `${r.diagnostics
          .filter((d) => d.severity === 'error')
          .map(formatDiagnostic)
          .join('\n')}\n`,
      );
      continue;
    }
    const prepared = r.prepared!;
    printWarnings(prepared.diagnostics);
    for (const n of prepared.notChecked ?? [])
      process.stderr.write(`${r.file}: not checked: source description "${n.name}" (${n.location}) was not fetched (--offline)\n`);
    // the inputs the run would start with: the schema's defaults applied (secrets stay references)
    if (r.inputs)
      process.stderr.write(
        `inputs after defaults: ${JSON.stringify(r.inputs, (_, v) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}… (${v.length} characters)` : v))}\n`,
      );
    const n = prepared.diagnostics.length;
    const summary = `${prepared.plan.document.file}: workflow ${prepared.plan.workflowId} is valid (${prepared.plan.steps.length} steps${n ? `, ${n} warning${n > 1 ? 's' : ''}` : ''}${prepared.notChecked ? `, ${prepared.notChecked.length} remote source${prepared.notChecked.length > 1 ? 's' : ''} not checked` : ''})\n`;
    if (flags.graph) {
      process.stderr.write(summary);
      process.stdout.write(planToMermaid(prepared.plan, { sites: prepared.sites[prepared.plan.workflowId] }));
    } else process.stdout.write(summary);
  }
  const failed = results.filter((r) => !r.valid).length;
  if (results.length > 1) process.stdout.write(`${results.length} documents: ${results.length - failed} valid, ${failed} invalid\n`);
}

export function registerGraph(program: Command): void {
  withRunFlags(program.command('graph <document>'))
    .description('print a Mermaid flowchart of a workflow: steps in order, goto edges with their criteria, retry loops, end actions')
    .option('--no-operations', 'leave out the method and path of each step')
    .action(async (document: string, flags: RunFlags & { operations: boolean }) => {
      readFilesSynchronously();
      const prepared = await prepareDocument(document, runRequest(document, flags));
      printWarnings(prepared.diagnostics);
      process.stdout.write(planToMermaid(prepared.plan, { operations: flags.operations, sites: prepared.sites[prepared.plan.workflowId] }));
    });
}
