// `npm run lint`: the rules the type checker does not see.
// - Layering: src/core imports nothing of ours outside src/core; src/workflows and src/activities import only
//   src/core (where the contract lives) and their own folder, never each other (activities may also use src/load).
// - The workflow sandbox: no Node built-ins in src/core or src/workflows (they are bundled into the sandbox).
// - Size: no file in src over 300 lines, no function over 60. What was over before these rules is listed in
//   scripts/lint-baseline.json and may only shrink; everything else must hold.
import { builtinModules } from 'node:module';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');
const BASELINE = join(ROOT, 'scripts', 'lint-baseline.json');
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;
const SANDBOXED = ['core', 'workflows'];
// activities run outside the sandbox and may read documents through src/load (the prepareRun activity); never the workflows
const ALLOWED: Record<string, string[]> = { core: ['core'], workflows: ['workflows', 'core'], activities: ['activities', 'core', 'load'] };
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The top folder of src a file is in: core, workflows, activities, load, … ('' for src/*.ts). */
const area = (file: string) => (relative(SRC, file).includes('/') ? relative(SRC, file).split('/')[0] : '');

function importsOf(source: ts.SourceFile): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  const visit = (node: ts.Node) => {
    const spec =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0])
          ? (node.arguments[0] as ts.StringLiteral).text
          : undefined;
    if (spec !== undefined) out.push({ spec, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function layering(file: string, source: ts.SourceFile, problems: string[]): void {
  const from = area(file);
  for (const { spec, line } of importsOf(source)) {
    const where = `${relative(ROOT, file)}:${line}`;
    if (SANDBOXED.includes(from) && BUILTINS.has(spec))
      problems.push(`${where}: src/${from} runs in the workflow sandbox; it must not import the Node built-in "${spec}"`);
    if (!spec.startsWith('.') || !ALLOWED[from]) continue;
    const target = resolve(dirname(file), spec);
    const to = target.startsWith(SRC + '/') ? area(target + '.ts') : 'outside src';
    if (!ALLOWED[from].includes(to))
      problems.push(
        `${where}: src/${from} may import only ${ALLOWED[from].map((a) => `src/${a}`).join(' and ')}, not "${spec}" (src/${to})`,
      );
  }
}

type Sizes = Record<string, number>;

function sizes(file: string, source: ts.SourceFile, into: Sizes): void {
  const name = relative(ROOT, file);
  const lines = source.getLineAndCharacterOfPosition(source.getEnd()).line + 1;
  if (lines > MAX_FILE_LINES) into[name] = lines;
  const visit = (node: ts.Node) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isConstructorDeclaration(node)
    ) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const n = source.getLineAndCharacterOfPosition(node.getEnd()).line + 2 - start;
      const fname =
        (node as { name?: ts.Node }).name?.getText(source) ??
        (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(source) : '(anonymous)');
      if (n > MAX_FUNCTION_LINES) into[`${name} ${fname}()`] = n;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

function main(): number {
  const problems: string[] = [];
  const found: Sizes = {};
  for (const file of files(SRC)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    layering(file, source, problems);
    sizes(file, source, found);
  }
  if (process.argv.includes('--write-baseline')) {
    writeFileSync(BASELINE, JSON.stringify(found, null, 2) + '\n');
    console.log(`wrote ${Object.keys(found).length} entries to ${relative(ROOT, BASELINE)}`);
    return 0;
  }
  const baseline: Sizes = JSON.parse(readFileSync(BASELINE, 'utf8'));
  for (const [what, n] of Object.entries(found)) {
    const limit = what.includes('()') ? MAX_FUNCTION_LINES : MAX_FILE_LINES;
    if (baseline[what] === undefined) problems.push(`${what}: ${n} lines, over the limit of ${limit}`);
    else if (n > baseline[what])
      problems.push(`${what}: ${n} lines, over the limit of ${limit} and longer than before (${baseline[what]}); make it shorter`);
  }
  const left = Object.keys(baseline).filter((k) => found[k] !== undefined).length;
  for (const p of problems) console.error(p);
  console.log(`lint: ${problems.length} problem(s); ${left} file(s)/function(s) still over the size limits (scripts/lint-baseline.json)`);
  return problems.length ? 1 : 0;
}

process.exit(main());
