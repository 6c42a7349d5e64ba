/**
 * The next revision of a document flagstage writes: the current time as an ISO timestamp, or one
 * millisecond after the previous revision when the clock has not moved past it, so that revisions
 * strictly increase (the runtime rejects a document that is not newer than the one it has).
 *
 * @example
 * ```ts
 * nextRevision('2030-01-01T00:00:00.000Z', Date.parse('2020-01-01')); // '2030-01-01T00:00:00.001Z'
 * ```
 */
export function nextRevision(previous: string | null, now: number): string {
  const last = previous === null ? Number.NaN : Date.parse(previous);
  const at = Number.isNaN(last) || now > last ? now : last + 1;
  return new Date(at).toISOString();
}
