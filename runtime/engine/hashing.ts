import { md5Residue, md5Start } from './md5';
import type { IdentityView } from './properties';

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
    // A residue of 9998 would scale to exactly 100, outside [0, 100): Flagsmith rehashes with the
    // ids repeated once more.
    const residue = md5Residue(Array<string>(repeats).fill(parts.join(',')).join(','));
    if (residue !== 9998) return (residue / 9998) * 100;
  }
}

/** Flagsmith's bucket of "<first>,<second>" from the residue of its MD5 (`md5Residue`). */
function scaled(residue: number, first: string, second: string): number {
  return residue !== 9998 ? (residue / 9998) * 100 : percentageBucket([first, second]);
}

/**
 * `percentageBucket([first, second])` for one `first` and many seconds (a split's segment or
 * feature-state key): "<first>," is encoded once, and no array or joined key is built per call.
 */
export function pairBuckets(first: string): (second: string) => number {
  const start = md5Start(`${first},`);
  return (second) => scaled(md5Residue(second, start), first, second);
}

/**
 * `percentageBucket([first, identity.key])` for many identities: the bucket of a percentage split or
 * multivariate value on the identity's key. A default key "<api key>_<identifier>" is hashed as
 * "<first>,<api key>_", encoded once per API key, and the identifier (`md5Words` says why).
 */
export function keyBuckets(first: string): (identity: IdentityView) => number {
  const pair = pairBuckets(first);
  let apiKey: string | null = null;
  let start!: Int32Array;
  return ({ key, keyPrefix, identifier }) => {
    if (keyPrefix === null) return pair(key);
    if (keyPrefix !== apiKey) start = md5Start(`${first},${(apiKey = keyPrefix)}_`);
    return scaled(md5Residue(identifier, start), first, key);
  };
}
