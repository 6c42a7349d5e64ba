export type { Stage, DecisionReason, Decision, FlagSnapshot } from './decision';
export type { FlagRollout } from './rollout';
export type { BackendEvaluation, BucketInfo, EnabledBy, FeatureAnswer, FlagBackend } from './backend';
export type { RolloutDocument } from './document';
export type { Explanation, ExplainRule, ExplainStep } from './explanation';
export type { CompiledPolicy, FlagState, IdentityMemo } from './compiled-policy';
export type { FlagPlan } from './plan';
export type { RolloutChange } from './changes';
export type { CompiledDocument } from './flagsmith-backend';
export type { EngineIdentity } from './traits';
export type { FlagLayout } from './read-rollout';
export { readRollout, readLayouts } from './read-rollout';
export { flagsmithBackend } from './flagsmith-backend';
export { compilePolicy } from './policy';
export { planManifest } from './plan';
export { DecisionMemo } from './memo';
export { diffRollouts, sameRollout } from './changes';
export { toEngineIdentity } from './traits';
export {
  ADMINS_SEGMENT,
  allowlistSegmentName,
  percentageSegmentName,
  SEGMENT_PRIORITY,
  TRAIT,
  FLAGSMITH_LIMITS,
} from './naming';
