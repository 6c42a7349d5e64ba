import { percentageBucket, type EnvironmentDocument } from '../engine/index';
import type { Identity } from '../identity';
import type { Manifest } from '../manifest/types';
import { TRAIT } from '../stages/naming';
import { readLayouts } from '../stages/read';
import type { BucketInfo } from './backend';
import { hasOrg } from './traits';

/**
 * An identity's place in a flag's percentage split on a Flagsmith document, or null when the flag
 * has no split or the identity no bucket (an org split, no org). Only explain needs it: it lives
 * here, in flagstage/explain's bundle, not in the gates'.
 *
 * @example
 * ```ts
 * flagsmithBucket(manifest, loaded.document, 'gastown', identity); // { value: 7.3, threshold: 10, by: 'user' }
 * ```
 */
export function flagsmithBucket<K extends string>(manifest: Manifest<K>, document: EnvironmentDocument, flag: K, identity: Identity): BucketInfo | null {
  const { rollout, percentSegment, split } = readLayouts(manifest, document)[flag];
  const { percentage } = rollout;
  if (!percentSegment || !split || percentage === null) return null;
  const splitKey = splitKeyOf(split.property_ ?? '', identity, document.api_key ?? '');
  if (splitKey === null) return null;
  return { value: percentageBucket([String(percentSegment.id), splitKey]), threshold: percentage.value, by: percentage.by };
}

/** The string Flagsmith hashes with the segment key, as the engine does for a PERCENTAGE_SPLIT. */
function splitKeyOf(property: string, identity: Identity, apiKey: string): string | null {
  if (property === '' || property === '$.identity.key') return `${apiKey}_${identity.userId}`;
  if (property === TRAIT.orgId) return hasOrg(identity) ? identity.orgId : null;
  if (property === TRAIT.userId || property === '$.identity.identifier') return identity.userId;
  const value = identity.traits?.[property];
  return value === undefined || value === null ? null : String(value);
}
