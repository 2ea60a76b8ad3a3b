// Regex patterns that need backtracking. Regex criteria run on RE2 and refuse what it cannot do
// (backtrackingFeature); match() and search() in RFC 9535 queries run on JavaScript's RegExp and also refuse
// patterns prone to catastrophic backtracking (unsafeRegexReason).
// Pure code: runs inside the Temporal workflow sandbox.

/** Whether a quantifier starting at `i` repeats its atom (`*`, `+`, `{n,}`, `{n,m}` with m > 1, `{n}` with n > 1). */
function repeatsAt(p: string, i: number): boolean {
  if (p[i] === '*' || p[i] === '+') return true;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
  if (!m) return false;
  return m[2] !== undefined ? m[3] === '' || Number(m[3]) > 1 : Number(m[1]) > 1;
}

/** First-character key of a regex alternative: a literal character, or '*' when it may start with many. */
function firstKey(alt: string): string {
  if (alt === '') return '*';
  if (alt[0] === '\\') return /[dDwWsSbBpPu]/.test(alt[1] ?? '') ? '*' : alt.slice(0, 2);
  return /[.[(^$]/.test(alt[0]) ? '*' : alt[0];
}

function overlap(alternatives: string[]): boolean {
  const keys = alternatives.map(firstKey);
  return keys.includes('*') ? keys.length > 1 : new Set(keys).size < keys.length;
}

/**
 * For match() and search() in RFC 9535 queries, which jsonpath-rfc9535 runs on JavaScript's backtracking RegExp
 * (regex criteria run on RE2 and need no such check).
 * Conservative detector of patterns prone to catastrophic backtracking: a repeated group that contains a
 * repeated element (`(a+)+`, `(a*)*`, `(\w+\s?)*`), or a repeated group whose alternatives can start with the
 * same character (`(a|a)*`, `(a|ab)+`). It can reject harmless patterns; it does not find every slow one
 * (polynomial cases such as `\d*\d*\d*x` pass), which the subject cap bounds.
 */
export function unsafeRegexReason(pattern: string): string | undefined {
  interface Frame {
    repeats: boolean;
    alternatives: string[];
    altStart: number;
  }
  const stack: Frame[] = [{ repeats: false, alternatives: [], altStart: 0 }];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    const top = stack[stack.length - 1];
    let atomEnd = i + 1;
    if (ch === '\\') atomEnd = i + 2;
    else if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (ch === '(') {
      const prefix = /^\(\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i))?.[0] ?? '(';
      stack.push({ repeats: false, alternatives: [], altStart: i + prefix.length });
      i += prefix.length - 1;
      continue;
    } else if (ch === '|') {
      top.alternatives.push(pattern.slice(top.altStart, i));
      top.altStart = i + 1;
      continue;
    } else if (ch === ')' && stack.length > 1) {
      stack.pop();
      top.alternatives.push(pattern.slice(top.altStart, i));
      const parent = stack[stack.length - 1];
      if (repeatsAt(pattern, i + 1)) {
        if (top.repeats) return `nested quantifier: the repeated group closing at column ${i + 1} contains a repeated element`;
        if (top.alternatives.length > 1 && overlap(top.alternatives)) {
          return `the repeated group closing at column ${i + 1} has alternatives that can match the same text (${top.alternatives.join('|')})`;
        }
        parent.repeats = true;
      }
      parent.repeats ||= top.repeats;
      continue;
    }
    if (repeatsAt(pattern, atomEnd)) top.repeats = true;
    i = atomEnd - 1;
  }
  return undefined;
}

/**
 * JavaScript regex syntax that RE2 cannot run, because it needs backtracking: backreferences and lookaround.
 * Named here so the message says why (re2js's translation would otherwise read `\k<n>` as the letter k).
 */
export function backtrackingFeature(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next)) return `the backreference \\${next}`;
      if (next === 'k' && pattern[i + 2] === '<') return 'a named backreference (\\k<…>)';
      i++;
    } else if (ch === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    } else if (ch === '(' && pattern[i + 1] === '?') {
      const m = /^\(\?(=|!|<=|<!)/.exec(pattern.slice(i));
      if (m) return `the ${m[1].includes('<') ? 'lookbehind' : 'lookahead'} (?${m[1]}…)`;
    }
  }
  return undefined;
}
