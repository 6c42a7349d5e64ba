import { createHash } from 'node:crypto';

/**
 * The next document revision: the current time as an ISO timestamp, or one millisecond after the
 * previous revision when the clock has not moved past it, so that revisions strictly increase (the
 * runtime rejects a document that is not newer than the one it has).
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

/**
 * A UUID derived from a seed, so that writing a document stays a pure function: the same document
 * and change always produce the same JSON.
 *
 * @example
 * ```ts
 * stableUuid('env-key/featurestate/3'); // '6f1c…-…' (always the same for that seed)
 * ```
 */
export function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  // Shaped as a version-4, RFC 4122 variant UUID so validators that check the format accept it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
