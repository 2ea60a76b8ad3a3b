// "Did you mean": the known name closest to an unknown one, when it is the same but for case or within edit
// distance 2 (the Arazzo spec's own FAPI-PAR example names operationId `...PAR` where its OpenAPI says `Par`).

/** Levenshtein distance, letters compared case-insensitively. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The closest known name: equal ignoring case, else within edit distance 2 (and less than half the name). */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    if (k === name) continue;
    const d = k.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, k);
    if (d <= 2 && d < Math.max(name.length, k.length) / 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

/** ` (did you mean "x"?)` for a message, or nothing. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const k = closest(name, known);
  return k === undefined ? '' : ` (did you mean "${k}"?)`;
}
