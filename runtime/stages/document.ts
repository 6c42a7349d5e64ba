import type {
  EnvironmentDocument,
  FeatureDocument,
  FeatureStateDocument,
  SegmentConditionDocument,
  SegmentDocument,
  SegmentRuleDocument,
} from '../engine/document';
import type { ConditionOperator, RuleType } from '../engine/types';

/**
 * The Flagsmith environment document as flagstage writes it: the exact JSON that Flagsmith serves at
 * `GET /api/v1/environment-document/`, so the runtime evaluates a local file, the control plane's
 * document and a Flagsmith environment the same way.
 *
 * One family with the engine's types: each interface here extends the engine's reading of the same
 * object and only narrows what flagstage always writes, so a `StagedDocument` is an
 * `EnvironmentDocument` without a cast. Fields flagstage does not write (in a document read from
 * disk or from Flagsmith) stay in the engine's open index signatures and are carried along untouched.
 */

export interface StagedCondition extends SegmentConditionDocument {
  readonly operator: ConditionOperator;
  /** '' for a percentage split that hashes the identity. */
  readonly property_: string;
  readonly value: string;
}

export interface StagedRule extends SegmentRuleDocument {
  readonly type: RuleType;
  readonly conditions: readonly StagedCondition[];
  readonly rules: readonly StagedRule[];
}

export interface StagedFeature extends FeatureDocument {
  readonly id: number;
  readonly name: string;
  readonly type: 'STANDARD' | 'MULTIVARIATE';
}

export interface StagedFeatureState extends FeatureStateDocument {
  readonly feature: StagedFeature;
  readonly enabled: boolean;
  readonly feature_state_value: string | number | boolean | null;
  readonly django_id: number;
  readonly featurestate_uuid: string;
  /** null for an environment default; the override's priority (lower wins) inside a segment. */
  readonly feature_segment: { readonly priority: number | null } | null;
  readonly multivariate_feature_state_values: NonNullable<FeatureStateDocument['multivariate_feature_state_values']>;
}

export interface StagedSegment extends SegmentDocument {
  readonly id: number;
  readonly name: string;
  readonly rules: readonly StagedRule[];
  readonly feature_states: readonly StagedFeatureState[];
}

export interface StagedDocument extends EnvironmentDocument {
  readonly id: number;
  readonly api_key: string;
  readonly name: string;
  readonly project: {
    readonly id: number;
    readonly name: string;
    readonly organisation: {
      readonly id: number;
      readonly name: string;
      readonly feature_analytics: boolean;
      readonly persist_trait_data: boolean;
      readonly stop_serving_flags: boolean;
      readonly [field: string]: unknown;
    };
    readonly hide_disabled_flags: boolean;
    readonly segments: readonly StagedSegment[];
    readonly [field: string]: unknown;
  };
  readonly feature_states: readonly StagedFeatureState[];
  readonly identity_overrides: NonNullable<EnvironmentDocument['identity_overrides']>;
  /** The revision: an ISO timestamp, strictly increasing on every write. */
  readonly updated_at: string;
}

/**
 * What the reader needs of a document: any `EnvironmentDocument` (a `StagedDocument` included), or
 * just its feature states and segments.
 */
export type RolloutDocument = Pick<EnvironmentDocument, 'feature_states' | 'project'> & Partial<Pick<EnvironmentDocument, 'api_key' | 'updated_at'>>;
