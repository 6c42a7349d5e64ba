import type { ConditionOperator, EnvironmentDocument, RuleType } from '../../../runtime/engine/index';

/**
 * The Flagsmith environment document as flagstage writes it: the exact JSON that Flagsmith serves at
 * `GET /api/v1/environment-document/`, so the runtime evaluates a local file and a Flagsmith
 * environment the same way. Only the fields flagstage writes are typed; everything else in a
 * document read from disk is carried along untouched.
 */

export interface DocCondition {
  readonly operator: ConditionOperator;
  readonly property_: string;
  readonly value: string;
}

export interface DocRule {
  readonly type: RuleType;
  readonly conditions: readonly DocCondition[];
  readonly rules: readonly DocRule[];
}

export interface DocFeature {
  readonly id: number;
  readonly name: string;
  readonly type: 'STANDARD' | 'MULTIVARIATE';
}

export interface DocFeatureState {
  readonly feature: DocFeature;
  readonly enabled: boolean;
  readonly feature_state_value: string | number | boolean | null;
  readonly django_id: number;
  readonly featurestate_uuid: string;
  /** null for an environment default; the override's priority (lower wins) inside a segment. */
  readonly feature_segment: { readonly priority: number | null } | null;
  readonly multivariate_feature_state_values: readonly unknown[];
}

export interface DocSegment {
  readonly id: number;
  readonly name: string;
  readonly rules: readonly DocRule[];
  readonly feature_states: readonly DocFeatureState[];
}

export interface EnvironmentDoc {
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
    };
    readonly hide_disabled_flags: boolean;
    readonly segments: readonly DocSegment[];
  };
  readonly feature_states: readonly DocFeatureState[];
  readonly identity_overrides: readonly unknown[];
  /** The revision: an ISO timestamp, strictly increasing on every write. */
  readonly updated_at: string;
}

/**
 * The same JSON under the engine's type. The engine's types are wider (optional fields, open
 * records) but mutable, and TypeScript cannot see that a readonly interface fits them; the
 * document is never mutated after this point, and the engine validates it when it compiles it.
 *
 * @example
 * ```ts
 * staticSource(asEngineDocument(doc));
 * ```
 */
export function asEngineDocument(doc: EnvironmentDoc): EnvironmentDocument {
  return doc as unknown as EnvironmentDocument;
}
