import type { Identity } from '../identity';
import type { FeatureAnswer } from './backend';
import type { Manifest } from '../manifest/types';
import type { FlagState, IdentityMemo } from './compiled-policy';
import type { Explanation, ExplainStep } from './explanation';
import { flagsmithBucket } from './bucket';
import { readRollout } from '../stages/read';
import type { FlagRollout } from '../stages/rollout';
import type { FlagsmithBackend } from './flagsmith-backend';

/**
 * Rebuilds the steps `decide` went through for a flag, on the identity's memo (`memo.policy` is the
 * revision's policy). The decision itself comes from `decide` (memoised), so an explanation can
 * never disagree with the decision it explains. Parents come from the manifest the policy was
 * planned from.
 *
 * @example
 * ```ts
 * const e = buildExplanation(manifest, policy.memo(), 'gastown', identity);
 * e.steps.at(-1); // { rule: 'backend', outcome: 'allow', detail: 'enabled by segment flagstage_gastown_percentage …' }
 * ```
 */
export function buildExplanation<K extends string>(manifest: Manifest<K>, memo: IdentityMemo<K>, flag: K, identity: Identity): Explanation<K> {
  const policy = memo.policy;
  // First: an unknown flag throws `unknown-flag` here, before the manifest is read.
  const decision = policy.decide(flag, identity, memo);
  const parentKey = (manifest.flags[flag].parent ?? null) as K | null;
  const state = policy.state(flag);
  const backend = policy.backend;
  const admin = identity.isAdmin === true;
  const steps: ExplainStep[] = [];
  // The Flagsmith backend leaves a rollout's lists unread (off the gates' bundle): read them from its
  // document here. Any other backend implements FlagBackend, whose rollouts carry their lists.
  const document = (backend as Partial<FlagsmithBackend<K>> | null)?.document;
  const rollout = document ? Object.freeze(readRollout(manifest, document)[flag]) : (state.rollout as FlagRollout | null);
  const base = { flag, decision, steps, stage: state.stage, killedBy: state.killedBy, rollout };

  if (backend === null) {
    steps.push(admin ? { rule: 'admin', outcome: 'allow', detail: 'the identity is an admin: stage 0 is a floor, kept even without a document' } : { rule: 'admin', outcome: 'pass', detail: 'the identity is not an admin' });
    if (!admin) steps.push({ rule: 'environment', outcome: 'deny', detail: 'no environment document has been loaded: failing closed to admin-only' });
    return freeze({ ...base, parent: null, segment: null, backendReason: null, bucket: null });
  }

  const answer = (memo.evaluation ??= backend.evaluate(identity)).answer(flag);
  // The Flagsmith backend leaves its bucket to explain (flagsmithBucket), off the gates' bundle.
  const rawBucket = backend.bucket ? backend.bucket(flag, identity) : document ? flagsmithBucket(manifest, document, flag, identity) : null;
  const bucket = rawBucket ? { ...rawBucket, inside: rawBucket.threshold > 0 && rawBucket.value <= rawBucket.threshold } : null;
  const parent = parentKey !== null ? buildExplanation(manifest, memo, parentKey, identity) : null;
  const killerMissing = state.killedBy !== null && policy.state(state.killedBy).rollout?.killSwitchMissing === true;
  steps.push(...ruleSteps(flag, admin, parent, state, killerMissing, answer, bucket));
  return freeze({ ...base, parent, segment: answer.segment, backendReason: answer.detail, bucket });
}

/** The rules in order, stopping at the one that decides, exactly as `compilePolicy` applies them. */
function ruleSteps(
  flag: string,
  admin: boolean,
  parent: Explanation<string> | null,
  state: FlagState<string>,
  killSwitchMissing: boolean,
  answer: FeatureAnswer,
  bucket: Explanation['bucket'],
): ExplainStep[] {
  const steps: ExplainStep[] = [];
  if (parent === null) {
    steps.push({ rule: 'parent', outcome: 'pass', detail: 'a top-level flag: no parent to check' });
  } else if (parent.decision.allowed) {
    steps.push({ rule: 'parent', outcome: 'pass', detail: `parent "${parent.flag}" is allowed (${parent.decision.reason})` });
  } else {
    steps.push({ rule: 'parent', outcome: 'deny', detail: `parent "${parent.flag}" is denied (${parent.decision.reason}), so its sub-flags are too` });
    return steps;
  }

  if (admin) {
    steps.push({ rule: 'admin', outcome: 'allow', detail: 'the identity is an admin: stage 0 is a floor, kept at every stage and through a kill' });
    return steps;
  }
  steps.push({ rule: 'admin', outcome: 'pass', detail: 'the identity is not an admin' });

  if (state.killedBy !== null) {
    const whose = state.killedBy === flag ? 'its own kill-switch' : `the kill-switch of its ancestor "${state.killedBy}"`;
    steps.push(
      killSwitchMissing
        ? { rule: 'kill-switch', outcome: 'deny', detail: `${whose} feature is missing from the document, so it counts as on: admin-only until the feature exists again (flagstage provision)` }
        : { rule: 'kill-switch', outcome: 'deny', detail: `${whose} is on: back to admin-only for new access` },
    );
    return steps;
  }
  // A backend deciding per identity (a vendor) reports its own kill-switch or its failure in the answer.
  if (answer.denied !== undefined) {
    steps.push({ rule: answer.denied === 'killed' ? 'kill-switch' : 'environment', outcome: 'deny', detail: answer.detail });
    return steps;
  }
  steps.push({ rule: 'kill-switch', outcome: 'pass', detail: 'no kill-switch is on for the flag or its ancestors' });

  const where = answer.segment !== null ? `segment ${answer.segment}` : 'the environment default';
  const split = bucket ? `; bucket ${bucket.value.toFixed(2)} ${bucket.inside ? '<=' : '>'} ${bucket.threshold} (by ${bucket.by})` : '';
  steps.push(
    answer.enabled
      ? { rule: 'backend', outcome: 'allow', detail: `enabled by ${where} at stage ${state.stage} (${answer.detail})${split}` }
      : { rule: 'backend', outcome: 'deny', detail: `not enabled for this identity at stage ${state.stage}: ${where} decided (${answer.detail})${split}` },
  );
  return steps;
}

function freeze<T extends { readonly steps: readonly ExplainStep[] }>(explanation: T): T {
  Object.freeze(explanation.steps);
  return Object.freeze(explanation);
}
