// Document arguments of `validate`: plain paths as they are, and quoted globs (`*`, `?`, `**`, `{a,b}`) expanded here
// so a CI job checks a whole repository of documents in one process, whatever its shell.
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const MAGIC = /[*?{]/;

function toRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      re += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((x) => x.replace(/[.+^$()|[\]\\]/g, '\\$&'))
        .join('|')})`;
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string, into: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, into);
    else if (e.isFile()) into.push(p);
  }
}

/** Each pattern's matches, sorted; a path without glob characters as it is. A glob that matches nothing is an error. */
export async function expandGlobs(patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!MAGIC.test(pattern)) {
      out.push(pattern);
      continue;
    }
    const parts = pattern.split('/');
    const fixed =
      parts
        .slice(
          0,
          parts.findIndex((p) => MAGIC.test(p)),
        )
        .join('/') || '.';
    const files: string[] = [];
    await walk(fixed, files);
    const re = toRegex(pattern.replace(/^\.\//, ''));
    const matches = files
      .map((f) => (fixed === '.' ? relative('.', f) : f).split(sep).join('/'))
      .filter((f) => re.test(f))
      .sort();
    if (!matches.length) throw new Error(`no file matches ${pattern}`);
    out.push(...matches);
  }
  return [...new Set(out)];
}
