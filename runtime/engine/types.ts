/**
 * The evaluation-context and evaluation-result shapes of Flagsmith's engine (the schemas in
 * test/fixtures/flagsmith/sdk/evaluation-context.json and evaluation-result.json).
 *
 * Input types are a little wider than the schemas where Flagsmith's own engines accept more (a null
 * condition value from old documents, a missing `traits`), so that real contexts type-check.
 */

/** A trait value: what an identity can carry. Any other JSON type is treated as "not set". */
export type TraitValue = string | number | boolean | null;

/** A feature or variant value as Flagsmith stores it. */
export type FlagValue = string | number | boolean | null;

/** Free-form metadata carried through to the result (`{ id }` for features from a document). */
export type Metadata = Record<string, unknown>;

export type ConditionOperator =
  | 'EQUAL'
  | 'NOT_EQUAL'
  | 'GREATER_THAN'
  | 'GREATER_THAN_INCLUSIVE'
  | 'LESS_THAN'
  | 'LESS_THAN_INCLUSIVE'
  | 'CONTAINS'
  | 'NOT_CONTAINS'
  | 'REGEX'
  | 'PERCENTAGE_SPLIT'
  | 'MODULO'
  | 'IS_SET'
  | 'IS_NOT_SET'
  | 'IN';

export type RuleType = 'ALL' | 'ANY' | 'NONE';

export interface EnvironmentContext {
  /** The environment's API key; part of the default identity hashing key. */
  key: string;
  name: string;
}

export interface IdentityContext {
  identifier: string;
  /** Hashing key for % splits and multivariate values; default `<environment key>_<identifier>`. */
  key?: string;
  traits?: Record<string, TraitValue>;
}

export interface SegmentCondition {
  /** A trait name, or a JSONPath into the context (`$.identity.identifier`, `$.environment.name`). */
  property: string;
  operator: ConditionOperator;
  /** A string; for IN also a list, a JSON array string or a comma-separated string. */
  value: string | string[] | null;
}

export interface SegmentRule {
  type: RuleType;
  conditions?: SegmentCondition[];
  rules?: SegmentRule[];
}

export interface FeatureValue {
  /** Stable variant key, returned as the flag's `variant` when the identity lands on it. */
  key?: string;
  value: FlagValue;
  /** Percentage (0-100) of identities that get this value. */
  weight: number;
  /** Lower sorts first when allocating identities to variants. */
  priority: number;
}

export interface FeatureContext {
  /** Hashing key for multivariate allocation (a feature-state id or UUID). */
  key: string;
  name: string;
  enabled: boolean;
  value: FlagValue;
  variants?: FeatureValue[];
  /** For segment overrides: lower wins when several matching segments override one feature. */
  priority?: number;
  metadata?: Metadata;
}

export interface SegmentContext {
  /** Hashing key for PERCENTAGE_SPLIT conditions (the segment id for documents). */
  key: string;
  name: string;
  rules: SegmentRule[];
  overrides?: FeatureContext[];
  metadata?: Metadata;
}

export interface EvaluationContext {
  environment: EnvironmentContext;
  identity?: IdentityContext | null;
  segments?: Record<string, SegmentContext>;
  features?: Record<string, FeatureContext>;
}

export interface FlagResult {
  name: string;
  enabled: boolean;
  value: FlagValue;
  /** `DEFAULT`, `TARGETING_MATCH; segment=<name>` or `SPLIT; weight=<n>`. */
  reason: string;
  /** The variant key, `"control"` for the control bucket, or null when no split applied. */
  variant: string | null;
  metadata?: Metadata;
}

export interface SegmentResult {
  name: string;
  metadata?: Metadata;
}

export interface EvaluationResult {
  flags: Record<string, FlagResult>;
  segments: SegmentResult[];
}
