/**
 * Stages <-> documents: the one owner of the stage order, the document types flagstage writes,
 * reading a flag's rollout from a Flagsmith environment document, applying a change to one,
 * comparing rollouts, walking parents and the allowlist rules. No Node built-ins: the CLI, the
 * runtime and the control plane's Durable Object all use it.
 */
export { STAGES, stageAtLeast, isStage, type Stage } from './stages';
export type { FlagRollout, Allowlist, Percentage, RolloutPatch } from './rollout';
export { sameRollout, rolloutPatch, patchedRollout } from './rollout';
export type { StagedDocument, StagedFeatureState, StagedSegment, StagedRule, StagedCondition, StagedFeature, RolloutDocument } from './document';
export { readRollout, readLayouts, type FlagLayout } from './read';
export { createDocument, ensureFlags, applyRollout, withRevision, type NewDocumentOptions } from './apply';
export { allowlistRules, percentageRules, adminRules } from './rules';
export { allowlistIdProblem, allowlistProblem, packIds } from './allowlist';
export { walkParents, lineage, ancestors, type ParentChain } from './parents';
export { stableUuid } from './uuid';
export { ADMINS_SEGMENT, allowlistSegmentName, percentageSegmentName, SEGMENT_PRIORITY, TRAIT, NOBODY_CONDITION, FLAGSMITH_LIMITS } from './naming';
export { nextRevision } from './revision';
