/**
 * The parts of Flagsmith's Admin API objects the backend reads and writes
 * (test/fixtures/flagsmith/admin-api/openapi.yaml has the full schemas).
 */

/** `#/components/schemas/Condition` */
export interface ApiCondition {
  readonly operator: string;
  readonly property: string | null;
  readonly value: string | null;
}

/** `#/components/schemas/SegmentRule` */
export interface ApiRule {
  readonly type: 'ALL' | 'ANY' | 'NONE';
  readonly rules: readonly ApiRule[];
  readonly conditions: readonly ApiCondition[];
}

/** `#/components/schemas/Segment` */
export interface ApiSegment {
  readonly id: number;
  readonly name: string;
  readonly description?: string | null;
  readonly rules: readonly ApiRule[];
}

/** `#/components/schemas/ListFeature` */
export interface ApiFeature {
  readonly id: number;
  readonly name: string;
}

/** `#/components/schemas/FeatureSegmentList` */
export interface ApiFeatureSegment {
  readonly id: number;
  readonly segment: number;
  readonly priority: number;
  readonly environment: number;
}

/** `#/components/schemas/WritableNestedFeatureState` */
export interface ApiFeatureState {
  readonly id: number;
  readonly enabled: boolean;
  readonly feature: number;
  readonly environment: number | null;
  readonly identity: number | null;
  readonly feature_segment: number | null;
}

/** `#/components/schemas/EnvironmentRetrieveSerializerWithMetadata` */
export interface ApiEnvironment {
  readonly id: number;
  readonly name: string;
  readonly api_key: string;
  readonly project: number;
  readonly use_v2_feature_versioning?: boolean;
}

/** `#/components/schemas/AuditLogList` */
export interface ApiAuditLog {
  readonly id: number;
  readonly created_date: string;
  readonly log: string;
  readonly author: { readonly email?: string; readonly first_name?: string; readonly last_name?: string } | null;
  readonly related_object_type?: string | null;
}
