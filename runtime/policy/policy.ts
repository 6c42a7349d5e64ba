import { unknownFlag } from '../errors/flagstage-error';
import type { Identity } from '../identity';
import type { FlagBackend } from './backend';
import type { CompiledPolicy, FlagState, IdentityMemo } from './compiled-policy';
import type { Decision, DecisionReason } from './decision';
import { buildExplanation } from './explain';
import type { Explanation } from './explanation';
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
export function compilePolicy<K extends string>(plans: Readonly<Record<K, FlagPlan<K>>>, backend: FlagBackend<K> | null): CompiledPolicy<K> {
  const revision = backend?.revision ?? null;
  const states = new Map<K, FlagState<K>>();
  for (const key of Object.keys(plans) as K[]) states.set(key, backend ? stateOf(plans[key], backend) : NO_ENVIRONMENT_STATE);

  const planOf = (flag: K): FlagPlan<K> => {
    // Own keys only: `toString`, `constructor` or `__proto__` must be unknown flags, not Object.prototype's.
    const plan = Object.prototype.hasOwnProperty.call(plans, flag) ? plans[flag] : undefined;
    if (plan === undefined) throw unknownFlag(flag);
    return plan;
  };
  const state = (flag: K): FlagState<K> => {
    planOf(flag);
    return states.get(flag) as FlagState<K>;
  };

  const policy: CompiledPolicy<K> = {
    revision,
    backend,
    state,
    memo: () => ({ policy, evaluation: null, decisions: new Map() }),
    decide<F extends K>(flag: F, identity: Identity, memo: IdentityMemo<K> = policy.memo()): Decision<F> {
      const hit = memo.decisions.get(flag);
      if (hit !== undefined) return hit as Decision<F>;
      const plan = planOf(flag);
      const { stage, killed } = states.get(flag) as FlagState<K>;
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
      } else if (killed) {
        reason = 'killed';
      } else {
        const answer = (memo.evaluation ??= backend.evaluate(identity)).answer(flag);
        allowed = answer.enabled;
        reason = answer.enabled ? (answer.by ?? 'ga') : (answer.denied ?? 'not-enabled');
      }
      const decision: Decision<F> = Object.freeze({ flag, allowed, reason, stage, killed: killed || reason === 'killed', revision });
      memo.decisions.set(flag, decision);
      return decision;
    },
    explain<F extends K>(flag: F, identity: Identity, memo: IdentityMemo<K> = policy.memo()): Explanation<F> {
      return buildExplanation({ policy, plan: planOf(flag), memo }, flag, identity) as Explanation<F>;
    },
  };
  return Object.freeze(policy);
}

function stateOf<K extends string>(plan: FlagPlan<K>, backend: FlagBackend<K>): FlagState<K> {
  const rollout = backend.rollout(plan.key);
  const killedBy = plan.lineage.find((key) => backend.rollout(key).killed) ?? null;
  return Object.freeze({ stage: rollout.stage, killed: killedBy !== null, killedBy, rollout });
}
