/**
 * The JSON served by Flagsmith's `GET /api/v1/environment-document/` (see the SDK OpenAPI in
 * test/fixtures/flagsmith/sdk/openapi.yaml). Older documents lack some optional fields; unknown
 * fields are allowed and ignored.
 */

export type DocumentFlagValue = string | number | boolean | null;

export interface FeatureDocument {
  id: number;
  name: string;
  type?: string;
  [field: string]: unknown;
}

export interface MultivariateValueDocument {
  id?: number | null;
  mv_fs_value_uuid?: string | null;
  percentage_allocation: number;
  multivariate_feature_option: { value: DocumentFlagValue; id?: number | null; [field: string]: unknown };
  [field: string]: unknown;
}

export interface FeatureStateDocument {
  feature: FeatureDocument;
  enabled: boolean;
  feature_state_value?: DocumentFlagValue;
  django_id?: number | string | null;
  featurestate_uuid?: string | null;
  feature_segment?: { priority?: number | null } | null;
  multivariate_feature_state_values?: readonly MultivariateValueDocument[] | null;
  [field: string]: unknown;
}

export interface SegmentConditionDocument {
  operator: string;
  property_?: string | null;
  value?: string | string[] | null;
  [field: string]: unknown;
}

export interface SegmentRuleDocument {
  type: string;
  rules?: readonly SegmentRuleDocument[] | null;
  conditions?: readonly SegmentConditionDocument[] | null;
  [field: string]: unknown;
}

export interface SegmentDocument {
  id: number | string;
  name: string;
  rules: readonly SegmentRuleDocument[];
  feature_states?: readonly FeatureStateDocument[] | null;
  [field: string]: unknown;
}

export interface IdentityOverrideDocument {
  identifier: string;
  identity_features?: readonly FeatureStateDocument[] | null;
  [field: string]: unknown;
}

export interface EnvironmentDocument {
  api_key: string;
  name?: string;
  /** When present, the document's revision. */
  updated_at?: string | null;
  feature_states: readonly FeatureStateDocument[];
  identity_overrides?: readonly IdentityOverrideDocument[] | null;
  project: { segments?: readonly SegmentDocument[] | null; [field: string]: unknown };
  [field: string]: unknown;
}
