import type { Identity } from '../identity';
import type { CompiledPolicy, IdentityMemo } from './compiled-policy';

/** How many recent identities are held directly: more than the requests one isolate interleaves (a power of two). */
const RECENT = 16;

/**
 * The request-scoped memo: decisions for one identity on one revision are computed once.
 *
 * It is keyed by the Identity object, never by user id: apps build the identity per request from
 * the session, so two requests of the same user never share an entry (a module-level cache keyed by
 * user id would leak decisions across requests and revisions, and grow without bound). An entry is
 * also bound to the policy (so to the revision) and to the identity's fields, so a new revision or an
 * identity object mutated in place (which the readonly type forbids, but JavaScript allows) starts
 * afresh instead of answering for someone else.
 *
 * Where entries live: a WeakMap insert costs several µs of GC work in V8 (ephemerons), more than the
 * decision itself, so the last 16 identities sit in a small ring first. An identity that leaves the
 * ring having been asked about more than once (a request still making decisions while others
 * interleave) moves into a WeakMap and is collected with its request; one asked about once is
 * dropped. The ring keeps at most 16 identity objects alive until newer ones replace them.
 * An adapter that has per-request state of its own (Hono's) keeps the memo there instead
 * (`heldMemo`): no ring, no search.
 *
 * @example
 * ```ts
 * const memo = new DecisionMemo<FlagKey>();
 * policy.decide('gastown', identity, memo.for(identity, policy)); // evaluated
 * policy.decide('convoys', identity, memo.for(identity, policy)); // reuses the gastown decision
 * ```
 */
export class DecisionMemo<K extends string = string> {
  // Made when an entry first moves there: until then a new identity skips the lookup.
  #byIdentity: WeakMap<Identity, Entry<K>> | undefined;
  // The ring's identities apart from their entries: one indexOf (a builtin's tight loop) finds an
  // identity, or finds that it is new, where a loop reading each entry cost ~40 instructions a slot.
  readonly #identities: (Identity | undefined)[] = Array(RECENT);
  readonly #ring: Entry<K>[] = Array(RECENT);
  #next = 0;

  /** The memo of this identity on this policy, created (or replaced after a new revision) as needed. */
  for(identity: Identity, policy: CompiledPolicy<K>): IdentityMemo<K> {
    const identities = this.#identities;
    const ring = this.#ring;
    const at = identities.indexOf(identity);
    if (at >= 0) {
      const entry = ring[at]!;
      entry.uses++;
      return current(entry, identity, policy);
    }
    const next = this.#next;
    const kept = this.#byIdentity?.get(identity);
    const entry: Entry<K> = kept ?? entryFor(identity, policy);
    entry.uses++;
    const evicted = ring[next];
    if (evicted !== undefined && evicted.uses > 1 && evicted !== kept) (this.#byIdentity ??= new WeakMap()).set(identities[next]!, evicted);
    identities[next] = identity;
    ring[next] = entry;
    this.#next = (next + 1) & (RECENT - 1);
    // A new entry was just made from this identity and policy.
    return kept ? current(kept, identity, policy) : entry.memo;
  }
}

/**
 * Where one request keeps its identity's memo (the Hono adapter's per-request state): the request
 * asks about one identity object, so its memo needs no ring and no search, and dies with the request.
 */
export interface MemoHolder<K extends string = string> {
  memoEntry: Entry<K> | undefined;
}

/**
 * The memo of the holder's identity on this policy: made on the request's first decision, then
 * reused while it still describes this identity on this policy (`current`), as the ring's are.
 *
 * @example
 * ```ts
 * const holder: MemoHolder = { memoEntry: undefined };
 * policy.decide('gastown', identity, heldMemo(holder, identity, policy)); // evaluated
 * policy.decide('convoys', identity, heldMemo(holder, identity, policy)); // reuses the gastown decision
 * ```
 */
export const heldMemo = <K extends string>(holder: MemoHolder<K>, identity: Identity, policy: CompiledPolicy<K>): IdentityMemo<K> =>
  holder.memoEntry ? current(holder.memoEntry, identity, policy) : (holder.memoEntry = entryFor(identity, policy)).memo;

/** A new entry: a memo for this identity on this policy, with the fields it describes. */
const entryFor = <K extends string>(identity: Identity, policy: CompiledPolicy<K>): Entry<K> => ({
  memo: policy.memo(),
  userId: identity.userId,
  orgId: identity.orgId,
  isAdmin: identity.isAdmin,
  traits: identity.traits,
  uses: 0,
});

interface Entry<K extends string> {
  memo: IdentityMemo<K>;
  userId: string;
  orgId: string | null | undefined;
  isAdmin: boolean;
  traits: Identity['traits'];
  uses: number;
}

/** The entry's memo if it still describes this identity on this policy; a fresh one otherwise. */
function current<K extends string>(entry: Entry<K>, identity: Identity, policy: CompiledPolicy<K>): IdentityMemo<K> {
  if (
    entry.memo.policy !== policy ||
    entry.userId !== identity.userId ||
    entry.orgId !== identity.orgId ||
    entry.isAdmin !== identity.isAdmin ||
    entry.traits !== identity.traits
  ) {
    entry.memo = policy.memo();
    entry.userId = identity.userId;
    entry.orgId = identity.orgId;
    entry.isAdmin = identity.isAdmin;
    entry.traits = identity.traits;
  }
  return entry.memo;
}
