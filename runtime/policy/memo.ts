import type { Identity } from '../identity';
import type { CompiledPolicy, IdentityMemo } from './policy';

/**
 * The request-scoped memo: decisions for one identity on one revision are computed once.
 * It is keyed by the Identity object in a WeakMap, not by user id: apps build the identity per
 * request from the session, so the memo is collected with the request, and two requests of the same
 * user never share an entry (a module-level cache keyed by user id would leak decisions across
 * requests and revisions, and grow without bound). A new revision replaces the entry.
 *
 * @example
 * ```ts
 * const memo = new DecisionMemo<FlagKey>();
 * policy.decide('gastown', identity, memo.for(identity, policy)); // evaluated
 * policy.decide('convoys', identity, memo.for(identity, policy)); // reuses the same evaluation
 * ```
 */
export class DecisionMemo<K extends string = string> {
  readonly #byIdentity = new WeakMap<Identity, IdentityMemo<K>>();

  /** The memo of this identity on this policy, created (or replaced after a new revision) as needed. */
  for(identity: Identity, policy: CompiledPolicy<K>): IdentityMemo<K> {
    const existing = this.#byIdentity.get(identity);
    if (existing !== undefined && existing.policy === policy) return existing;
    const fresh = policy.memo();
    this.#byIdentity.set(identity, fresh);
    return fresh;
  }
}
