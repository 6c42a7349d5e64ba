export type { DecisionReason, Decision, FlagSnapshot } from './decision';
export type { Stage } from '../stages/stages';
export type { FlagRollout } from '../stages/rollout';
export type { BackendEvaluation, BucketInfo, EnabledBy, FeatureAnswer, FlagBackend } from './backend';
export type { RolloutDocument } from '../stages/document';
export type { Explanation, ExplainRule, ExplainStep } from './explanation';
export type { CompiledPolicy, FlagState, IdentityMemo } from './compiled-policy';
export type { FlagPlan } from './plan';
export type { RolloutChange } from './changes';
export type { CompiledDocument } from './flagsmith-backend';
export type { EngineIdentity } from './traits';
export type { FlagLayout } from '../stages/read';
export { readRollout, readLayouts } from '../stages/read';
export { flagsmithBackend } from './flagsmith-backend';
export { compilePolicy } from './policy';
export { planManifest } from './plan';
export { DecisionMemo } from './memo';
export { diffRollouts } from './changes';
export { sameRollout } from '../stages/rollout';
export { toEngineIdentity } from './traits';
export {
  ADMINS_SEGMENT,
  allowlistSegmentName,
  percentageSegmentName,
  SEGMENT_PRIORITY,
  TRAIT,
  FLAGSMITH_LIMITS,
} from '../stages/naming';
