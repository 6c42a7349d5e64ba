/**
 * flagstage's Flagsmith-compatible evaluation engine (`flagstage/engine`): evaluates a Flagsmith
 * environment document locally, with Flagsmith's semantics, in workerd, browsers and Node alike.
 * It imports no Node built-in, starts no timer and does no I/O.
 */
export { getEvaluationResult } from './evaluate';
export { environmentToContext } from './from-document';
export { compileEnvironment, type CompiledEnvironment } from './environment';
export { percentageBucket } from './hashing';
export { EngineDocumentError } from './errors';
export type { IdentityInput, TraitsInput } from './identity';
export type {
  ConditionOperator,
  EnvironmentContext,
  EvaluationContext,
  EvaluationResult,
  FeatureContext,
  FeatureValue,
  FlagResult,
  FlagValue,
  IdentityContext,
  Metadata,
  RuleType,
  SegmentCondition,
  SegmentContext,
  SegmentResult,
  SegmentRule,
  TraitValue,
} from './types';
export type {
  EnvironmentDocument,
  FeatureStateDocument,
  IdentityOverrideDocument,
  MultivariateValueDocument,
  SegmentConditionDocument,
  SegmentDocument,
  SegmentRuleDocument,
} from './document';
