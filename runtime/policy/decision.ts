import type { FlagKey } from '../manifest/register';
import type { Stage } from '../stages/stages';


/** Why a decision came out as it did, in the order the policy checks. */
export type DecisionReason =
  | 'parent'
  | 'admin'
  | 'killed'
  | 'allowlist'
  | 'percentage'
  | 'ga'
  | 'not-enabled'
  | 'no-environment';

/** The answer for one flag and one identity. */
export interface Decision<K extends string = FlagKey> {
  readonly flag: K;
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  /** The flag's current stage (`admin-only` when there is no document). */
  readonly stage: Stage;
  /** Whether the flag or an ancestor is killed. */
  readonly killed: boolean;
  /** The document revision the decision was made from; null without a document. */
  readonly revision: string | null;
}

/**
 * What the browser gets: one boolean per flag and the revision, nothing about stages or lists.
 * `<FlagstageProvider snapshot>` hydrates from it.
 */
export interface FlagSnapshot<K extends string = FlagKey> {
  readonly revision: string | null;
  readonly flags: { readonly [P in K]: boolean };
}
