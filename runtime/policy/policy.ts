import { unknownFlag } from '../errors/flagstage-error';
import type { Identity } from '../identity';
import type { PolicyBackend } from './backend';
import type { CompiledPolicy, FlagState, IdentityMemo } from './compiled-policy';
import type { Decision, DecisionReason } from './decision';
import type { FlagPlan } from './plan';

const NO_ENVIRONMENT_STATE: FlagState<never> = Object.freeze({ stage: 'admin-only', killed: false, killedBy: null, rollout: null });

/**
 * Builds the policy for one revision: the rules of DESIGN.md, in this order:
 * 1. a parent that is not allowed denies (`parent`);
 * 2. an admin is allowed (`admin`): stage 0 is a floor that is never removed;
 * 3. the flag's or an ancestor's kill-switch denies (`killed`);
 * 4. the backend enabling the feature allows (`allowlist`, `percentage` or `ga`);
 * 5. anything else is denied (`not-enabled`).
 * Without a backend (no document was ever loaded) it fails closed: admins are allowed and everyone
 * else is denied with `no-environment`, for sub-flags too, since that is the cause worth reporting.
 *
 * @example
 * ```ts
 * const policy = compilePolicy(planManifest(manifest), flagsmithBackend(manifest, loaded));
 * policy.decide('gastown', { userId: 'u1', isAdmin: false }); // { allowed: true, reason: 'allowlist', … }
 * ```
 */
export function compilePolicy<K extends string>(plans: Readonly<Record<K, FlagPlan<K>>>, backend: PolicyBackend<K> | null): CompiledPolicy<K> {
  const revision = backend?.revision ?? null;
  // A Map, not the plans record: `toString`, `constructor` or `__proto__` must be unknown flags, not Object.prototype's.
  const flags = new Map<K, FlagEntry<K>>();
  for (const key of Object.keys(plans) as K[]) {
    const state = backend ? stateOf(plans[key], backend) : NO_ENVIRONMENT_STATE;
    flags.set(key, { index: flags.size, plan: plans[key], state, decided: new Map() });
  }
  // Read once: a Map's size is a getter call for every new identity's memo otherwise (~50 instructions in workerd).
  const size = flags.size;
  const entryOf = (flag: K): FlagEntry<K> => {
    const entry = flags.get(flag);
    if (entry === undefined) throw unknownFlag(flag);
    return entry;
  };

  const policy: CompiledPolicy<K> = {
    revision,
    backend,
    state: (flag) => entryOf(flag).state,
    // Sized up front: a memo that grew from empty would copy its store on the first decision.
    memo: () => ({ policy, evaluation: null, decisions: Array(size) }),
    decide<F extends K>(flag: F, identity: Identity, memo: IdentityMemo<K> = policy.memo()): Decision<F> {
      const entry = entryOf(flag);
      const hit = memo.decisions[entry.index];
      if (hit !== undefined) return hit as Decision<F>;
      const { plan, state } = entry;
      const admin = identity.isAdmin === true;
      let allowed = false;
      let reason: DecisionReason;
      if (backend === null) {
        allowed = admin;
        reason = admin ? 'admin' : 'no-environment';
      } else if (plan.parent !== null && !policy.decide(plan.parent, identity, memo).allowed) {
        reason = 'parent';
      } else if (admin) {
        allowed = true;
        reason = 'admin';
      } else if (state.killed) {
        reason = 'killed';
      } else {
        const answer = (memo.evaluation ??= backend.evaluate(identity)).answer(flag);
        allowed = answer.enabled;
        reason = answer.enabled ? (answer.by ?? 'ga') : (answer.denied ?? 'not-enabled');
      }
      // A decision holds nothing about the identity: one frozen object per flag and reason in this
      // revision (a reason says whether it allows), shared by every identity that gets it. A Map: a plain
      // object keyed by reason saves a lookup in workerd, but in Node 20 new identities were 3-8% slower
      // (same-process A/B; one site reading many reasons' names is a megamorphic keyed load).
      let decision = entry.decided.get(reason);
      if (!decision) entry.decided.set(reason, (decision = Object.freeze({ flag, allowed, reason, stage: state.stage, killed: state.killed || reason === 'killed', revision })));
      memo.decisions[entry.index] = decision;
      return decision as Decision<F>;
    },
  };
  return Object.freeze(policy);
}

/** A flag in one compiled policy. */
interface FlagEntry<K extends string> {
  /** The flag's position: where an identity's memo keeps its decision. */
  readonly index: number;
  readonly plan: FlagPlan<K>;
  readonly state: FlagState<K>;
  /** The decisions made so far, by reason: each reason either allows or denies. */
  readonly decided: Map<DecisionReason, Decision<K>>;
}

function stateOf<K extends string>(plan: FlagPlan<K>, backend: PolicyBackend<K>): FlagState<K> {
  const rollout = backend.rollout(plan.key);
  const killedBy = plan.lineage.find((key) => backend.rollout(key).killed) ?? null;
  return Object.freeze({ stage: rollout.stage, killed: killedBy !== null, killedBy, rollout });
}
