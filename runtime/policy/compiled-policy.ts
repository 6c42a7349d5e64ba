import type { Identity } from '../identity';
import type { BackendEvaluation, PolicyBackend } from './backend';
import type { Decision } from './decision';
import type { Stage } from '../stages/stages';
import type { FlagStanding } from '../stages/rollout';

// The compiled policy's shape, apart from compilePolicy: explain.ts (flagstage/explain) builds on it
// without importing the policy's code.

/** A flag's standing in one revision, the same for every identity. */
export interface FlagState<K extends string = string> {
  readonly stage: Stage;
  /** The flag's or an ancestor's kill-switch is on. */
  readonly killed: boolean;
  /** The nearest flag in its lineage whose kill-switch is on (itself first), or null. */
  readonly killedBy: K | null;
  /** The flag's own rollout (its lists may be unread: see `FlagStanding`), or null without a document. */
  readonly rollout: FlagStanding | null;
}

/**
 * Decisions already made for one identity on one policy (one revision). The runtime keeps one per
 * Identity object in a WeakMap, so it lives exactly as long as the request that built the identity.
 */
export interface IdentityMemo<K extends string = string> {
  readonly policy: CompiledPolicy<K>;
  evaluation: BackendEvaluation<K> | null;
  /**
   * The decisions made, by the flag's position in the policy's plans: a small array is cheaper to
   * make for every new identity than a Map.
   */
  readonly decisions: Array<Decision<K> | undefined>;
}

/** The rules applied to one revision of a backend (or to no document at all). Synchronous. */
export interface CompiledPolicy<K extends string = string> {
  readonly revision: string | null;
  readonly backend: PolicyBackend<K> | null;
  /** The flag's stage and kill state in this revision. */
  state(flag: K): FlagState<K>;
  /** The decision for one flag; pass a memo to share work across flags of one identity. */
  decide<F extends K>(flag: F, identity: Identity, memo?: IdentityMemo<K>): Decision<F>;
  /** A fresh memo for an identity on this policy. */
  memo(): IdentityMemo<K>;
}
