/**
 * Durations as people type them for plans and guards: a whole number and one unit, `s`, `m`, `h`
 * or `d` (`30s`, `10m`, `6h`, `2d`). Seconds serve tests and demos; a day is 24 hours.
 */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest duration a plan or guard takes: a year (anything longer is a typo). */
export const MAX_DURATION_MS = 366 * UNIT_MS.d;

/**
 * Milliseconds for `6h`, or null when the text is not a duration.
 *
 * @example
 * ```ts
 * parseDuration('6h'); // 21600000
 * parseDuration('6 hours'); // null
 * ```
 */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 && ms <= MAX_DURATION_MS ? ms : null;
}

/**
 * The shortest exact spelling of a duration: `21600000` -> `6h`, `90000` -> `90s`.
 *
 * @example
 * ```ts
 * formatDuration(600_000); // '10m'
 * ```
 */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}

/** What to tell someone whose duration did not parse. */
export const DURATION_FIX = 'write a whole number and a unit: s, m, h or d (e.g. 30s, 10m, 6h, 2d), up to a year';
