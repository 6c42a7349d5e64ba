import { md5Residue } from './md5';
import type { IdentityView } from './properties';

/**
 * Flagsmith's bucket of a string: its MD5 read as a 128-bit big-endian integer, modulo 9999, scaled
 * to [0, 100]. `md5Residue` reduces without BigInt; a residue of 9998 gives exactly 100.
 */
function md5Bucket(text: string, second?: string): number {
  return (md5Residue(text, second) / 9998) * 100;
}

/**
 * Flagsmith's hashed percentage of a list of ids: MD5 of the ids joined by commas, as a number in
 * [0, 100). The same ids always give the same number, in every Flagsmith SDK.
 *
 * Segment percentage splits use `[segmentKey, identityKey]` (match when the result is <= the split
 * value); multivariate values use `[featureStateKey, identityKey]`.
 *
 * @example
 * ```ts
 * import { percentageBucket } from 'flagstage/engine';
 * const bucket = percentageBucket(['42', 'ser.abc_user-1']); // e.g. 37.91
 * const inTwentyPercent = bucket <= 20;
 * ```
 */
export function percentageBucket(parts: readonly string[]): number {
  for (let repeats = 1; ; repeats++) {
    const ids: string[] = [];
    for (let i = 0; i < repeats; i++) ids.push(...parts);
    const value = md5Bucket(ids.join(','));
    // A residue of 9998 maps to exactly 100, outside [0, 100): Flagsmith rehashes with the ids
    // repeated once more.
    if (value !== 100) return value;
  }
}

/** `percentageBucket([first, second])` without building the array on the hot path. */
export function pairBucket(first: string, second: string): number {
  const value = md5Bucket(first, second);
  return value !== 100 ? value : percentageBucket([first, second]);
}

/**
 * `pairBucket(first, identity.key)`, hashing a default key as its two parts (`md5Words` says why):
 * the bucket of a percentage split or multivariate value on the identity's key.
 */
export function keyBucket(first: string, identity: IdentityView): number {
  if (identity.keyPrefix === null) return pairBucket(first, identity.key);
  const value = (md5Residue(first, identity.keyPrefix, identity.identifier) / 9998) * 100;
  return value !== 100 ? value : percentageBucket([first, identity.key]);
}
