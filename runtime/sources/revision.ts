/**
 * Revisions are Flagsmith's `updated_at` timestamps (ISO 8601, often with microseconds, which
 * `Date.parse` cannot be trusted with), so they are compared as instants, not as strings.
 */

/**
 * Negative when `a` is older than `b`, 0 when they are the same instant, positive when newer.
 *
 * @example
 * compareRevisions('2026-01-01T00:00:00.000001Z', '2026-01-01T00:00:00.000002Z'); // < 0
 */
export function compareRevisions(a: string, b: string): number {
  if (a === b) return 0;
  const left = instant(a);
  const right = instant(b);
  if (left === null || right === null) {
    // Not timestamps: nothing says which is older, so a different revision counts as newer.
    return 1;
  }
  if (left.ms !== right.ms) return left.ms - right.ms;
  return left.fraction < right.fraction ? -1 : left.fraction > right.fraction ? 1 : 0;
}

interface Instant {
  /** Milliseconds since the epoch, whole seconds only. */
  readonly ms: number;
  /** The fractional second, as digits padded to nanoseconds (so they compare as strings). */
  readonly fraction: string;
}

const ISO = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

function instant(value: string): Instant | null {
  const match = ISO.exec(value.trim());
  if (!match) return null;
  const zone = match[3] ?? 'Z';
  const ms = Date.parse(`${(match[1] ?? '').replace(' ', 'T')}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (Number.isNaN(ms)) return null;
  return { ms, fraction: (match[2] ?? '').padEnd(9, '0') };
}
