// The Arazzo documents the project must run, as written: the user's seeds and the third-party corpus
// in ../shared (read in place, never copied).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const SHARED = resolve(__dirname, '../../../shared');

export function corpusDocuments(): { file: string; doc: any }[] {
  const dirs = [
    { dir: join(SHARED, 'seeds'), pattern: /\.arazzo\.yaml$/ },
    { dir: join(SHARED, 'corpus/arazzo'), pattern: /\.yml$/ },
  ];
  return dirs.flatMap(({ dir, pattern }) =>
    readdirSync(dir)
      .filter((f) => pattern.test(f))
      .map((f) => ({ file: f, doc: parse(readFileSync(join(dir, f), 'utf8')) })),
  );
}
