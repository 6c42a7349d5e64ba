import { createFlagstage, snapshotOf, type Flagstage, type FlagstageOptions } from '../../runtime/flagstage';
import { FlagstageError } from '../../runtime/errors/flagstage-error';
import type { Identity } from '../../runtime/identity';
import type { Manifest } from '../../runtime/manifest/types';
import type { Decision } from '../../runtime/policy/decision';
import type { IdentityMemo } from '../../runtime/policy/compiled-policy';
import { staticSource } from '../../runtime/sources/static';
import type { DocumentSource, WaitUntil } from '../../runtime/sources/source';
import type { OpenFeatureBackend } from './backend';

type KeyOf<M extends Manifest> = keyof M['flags'] & string;

/** `createFlagstage`'s options, with the vendor in place of a source and a backend. */
export interface VendorFlagstageOptions<M extends Manifest> extends Omit<FlagstageOptions<M>, 'source' | 'backend'> {
  /** `openFeatureBackend(provider, { timeoutMs })`. */
  readonly vendor: OpenFeatureBackend;
}

/**
 * The runtime with a vendor's OpenFeature provider deciding "enabled" (see `openFeatureBackend`):
 * the same gates, admin floor, parent flags and kill-switch as `createFlagstage`, whose document path
 * it reuses unchanged. `decide`, `snapshot`, `track` and `explain` (flagstage/explain) first wait
 * for the vendor's answers for the identity (asked once per Identity object), then decide
 * synchronously; the core runtime carries no code for vendors.
 *
 * @example
 * ```ts
 * import { createVendorFlagstage, openFeatureBackend } from 'flagstage/openfeature';
 * import { FlagshipServerProvider } from '@cloudflare/flagship/server';
 *
 * const flags = createVendorFlagstage({
 *   manifest,
 *   vendor: openFeatureBackend(new FlagshipServerProvider({ binding: env.FLAGS }), { timeoutMs: 50, onError: report }),
 * });
 * await flags.decide('gastown', identity); // { allowed, reason: 'allowlist' | 'percentage' | 'ga' | 'admin' | 'killed' | …, … }
 * ```
 */
export function createVendorFlagstage<M extends Manifest>(options: VendorFlagstageOptions<M>): Flagstage<M, DocumentSource> {
  type K = KeyOf<M>;
  const { vendor, outcomes, ...rest } = options;
  if (!vendor || typeof vendor.backend !== 'function') {
    throw new FlagstageError('invalid-option', 'createVendorFlagstage needs vendor: openFeatureBackend(provider, { timeoutMs }) from flagstage/openfeature');
  }
  if (!options.manifest || typeof options.manifest.flags !== 'object') throw new FlagstageError('invalid-option', 'createVendorFlagstage needs the manifest exported by flags.gen.ts');
  const backend = vendor.backend(options.manifest as Manifest<K>);
  // A fixed stand-in document: the vendor holds the state, so there is one revision, the vendor's.
  const source = staticSource({ api_key: 'openfeature', feature_states: [], project: { segments: [] }, updated_at: vendor.revision } as never);
  const core = createFlagstage<M>({ ...rest, source, backend: () => backend as never });
  const keys = Object.keys(options.manifest.flags) as K[];

  // The vendor's answers first (memoised per Identity object by the backend); the core's memo then
  // reads them synchronously. An identity without a userId goes straight to the core, which refuses it.
  const memo = async (identity: Identity, context?: WaitUntil): Promise<IdentityMemo<K>> => {
    if (typeof identity?.userId === 'string' && identity.userId !== '') await backend.prepare(identity);
    return core.memo(identity, context);
  };
  const decide = async <F extends K>(flag: F, identity: Identity, context?: WaitUntil): Promise<Decision<F>> => {
    const entry = await memo(identity, context);
    return entry.policy.decide(flag, identity, entry);
  };

  return Object.freeze({
    ...core,
    memo,
    decide,
    // The core's synchronous decision would not wait for the vendor.
    decideFresh: decide,
    snapshot: async (identity: Identity, context?: WaitUntil) => snapshotOf(keys, identity, await memo(identity, context)),
    track(identity: Identity, flag: K, outcome: Parameters<Flagstage<M>['track']>[2], context?: WaitUntil) {
      outcomes?.record(decide(flag, identity, context), outcome, context);
    },
    tracks: outcomes != null,
  });
}
