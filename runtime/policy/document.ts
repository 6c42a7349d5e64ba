/**
 * The parts of Flagsmith's environment document (`GET /api/v1/environment-document/`) the policy
 * reads to derive stages. Structural and lenient on purpose: the engine validates documents, this
 * only has to read the few fields that carry a rollout, and any `EnvironmentDocument` fits.
 */

export interface DocumentFeatureState {
  readonly feature: { readonly name: string; readonly id?: number };
  readonly enabled: boolean;
}

export interface DocumentCondition {
  readonly operator: string;
  readonly property_?: string | null;
  readonly value?: unknown;
}

export interface DocumentRule {
  readonly type: string;
  readonly rules?: readonly DocumentRule[] | null;
  readonly conditions?: readonly DocumentCondition[] | null;
}

export interface DocumentSegment {
  readonly id: number | string;
  readonly name: string;
  readonly rules?: readonly DocumentRule[] | null;
  readonly feature_states?: readonly DocumentFeatureState[] | null;
}

export interface RolloutDocument {
  readonly api_key?: string;
  readonly feature_states?: readonly DocumentFeatureState[] | null;
  readonly project?: { readonly segments?: readonly DocumentSegment[] | null } | null;
  readonly updated_at?: string | null;
}
