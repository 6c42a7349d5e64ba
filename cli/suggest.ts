/**
 * The candidates closest to a mistyped name, best first: case-insensitive matches, then prefixes,
 * then edit distance of at most a third of the name (at least 2).
 *
 * @example
 * ```ts
 * suggest('gastwon', ['gastown', 'convoys']); // ['gastown']
 * ```
 */
export function suggest(input: string, candidates: readonly string[]): string[] {
  const lower = input.toLowerCase();
  const limit = Math.max(2, Math.floor(input.length / 3));
  return candidates
    .map((candidate) => {
      const other = candidate.toLowerCase();
      const score = other === lower ? 0 : other.startsWith(lower) || lower.startsWith(other) ? 1 : 1 + distance(lower, other);
      return { candidate, score };
    })
    .filter(({ score }) => score <= limit + 1)
    .sort((a, b) => a.score - b.score)
    .map(({ candidate }) => candidate);
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
