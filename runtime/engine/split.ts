import { keyBuckets } from './hashing';
import { order } from './operators';
import type { IdentityView } from './properties';
import { listOf } from './segments';
import type { FeatureContext, FlagValue } from './types';

/** A feature state's multivariate allocation. */
export interface Split {
  /** The bucket of the feature-state key hashed with the identity key. */
  readonly bucket: (identity: IdentityView) => number;
  /** Each variant's range of buckets [start, limit), with what landing in it gives. */
  readonly ranges: ReadonlyArray<{ start: number; limit: number; value: FlagValue; reason: string; variant: string | null }>;
}

/** The allocation of a feature state's variants, or null when it has none. */
export function compileSplit(feature: FeatureContext): Split | null {
  // Stable sort: variants with equal priority keep their order; no priority sorts last.
  const sorted = [...listOf(feature.variants)].sort((a, b) => order(a.priority ?? Infinity, b.priority ?? Infinity));
  // Ranges accumulate exactly as Flagsmith adds them, so float edges land on the same side.
  let start = 0;
  const ranges = sorted.map(({ weight, value, key }) => ({
    start,
    limit: (start += weight),
    value: value === undefined ? null : value,
    reason: `SPLIT; weight=${weight}`,
    variant: typeof key === 'string' ? key : null,
  }));
  return ranges.length > 0 ? { bucket: keyBuckets(feature.key == null ? '' : String(feature.key)), ranges } : null;
}

/** The index of the range the identity's bucket lands in, or -1: past the last range it keeps the control value. */
export function rangeIndex({ bucket, ranges }: Split, identity: IdentityView): number {
  const at = bucket(identity);
  return ranges.findIndex((range) => range.start <= at && at < range.limit);
}
