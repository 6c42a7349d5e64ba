import type { Identity } from '../identity';
import type { FlagRollout, FlagStanding } from '../stages/rollout';

/** Why a backend enabled a feature, in the policy's words. */
export type EnabledBy = 'allowlist' | 'percentage' | 'ga';

/** A backend's answer for one feature and one identity. */
export interface FeatureAnswer {
  readonly enabled: boolean;
  /** What enabled it; null when not enabled. */
  readonly by: EnabledBy | null;
  /** The segment whose override decided (enabled or not), or null when the default did. */
  readonly segment: string | null;
  /** The backend's own reason, verbatim (Flagsmith's `TARGETING_MATCH; segment=…`), for explain. */
  readonly detail: string;
  /**
   * Why a backend that decides per identity denied, when it is not targeting: its kill-switch flag
   * is on (`killed`), or it could not answer (`no-environment`: fail closed). A document backend
   * never sets it (kill-switches are part of its revision).
   */
  readonly denied?: 'killed' | 'no-environment';
}

/** The answers for one identity, evaluated per flag on demand (the policy memoises its decisions). */
export interface BackendEvaluation<K extends string = string> {
  answer(flag: K): FeatureAnswer;
}

/** An identity's place in a flag's percentage split, for explain. */
export interface BucketInfo {
  /** The identity's bucket, 0–100 (inside when `value <= threshold`). */
  readonly value: number;
  readonly threshold: number;
  readonly by: 'user' | 'org';
}

/**
 * What the policy reads of a backend: a `FlagBackend` whose rollouts may leave their lists unread
 * (the Flagsmith backend's do; explain reads them from its document).
 */
export interface PolicyBackend<K extends string = string> extends Omit<FlagBackend<K>, 'rollout'> {
  rollout(flag: K): FlagStanding;
}

/**
 * What the policy needs from a flag system, for one revision of its configuration: "for this
 * identity, is feature X enabled, and why; what stage is it at". The Flagsmith engine is the first
 * implementation (`flagsmithBackend`); an OpenFeature provider or Cloudflare's flag binding can
 * implement the same without touching the policy. Implementations must be pure per revision: the
 * same identity always gets the same answers, so decisions can be memoised.
 */
export interface FlagBackend<K extends string = string> {
  /** The configuration revision decisions are made from. */
  readonly revision: string;
  /** The flag's own rollout: stage, own kill-switch, lists. Cheap (precomputed). */
  rollout(flag: K): FlagRollout;
  /** Evaluates the identity for every flag at once. */
  evaluate(identity: Identity): BackendEvaluation<K>;
  /**
   * The identity's bucket in the flag's percentage split, or null when there is none or it has no bucket
   * (for explain). The Flagsmith backend leaves it to flagstage/explain, which reads its document.
   */
  bucket?(flag: K, identity: Identity): BucketInfo | null;
}
