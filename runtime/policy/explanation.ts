import type { BucketInfo } from './backend';
import type { Decision } from './decision';
import type { Stage } from '../stages/stages';
import type { FlagRollout } from '../stages/rollout';

/** The rules, in the order the policy applies them. */
export type ExplainRule = 'parent' | 'admin' | 'kill-switch' | 'backend' | 'environment';

/** One rule as it applied: `pass` went on to the next rule, `allow` / `deny` decided. */
export interface ExplainStep {
  readonly rule: ExplainRule;
  readonly outcome: 'pass' | 'allow' | 'deny';
  readonly detail: string;
}

/** The trace behind a decision: what `flags.explain` and `flagstage explain` show. */
export interface Explanation<K extends string = string> {
  readonly flag: K;
  readonly decision: Decision<K>;
  /** Every rule applied, in order; the last one decided. */
  readonly steps: readonly ExplainStep[];
  /** The parent's own explanation, for a sub-flag. */
  readonly parent: Explanation<string> | null;
  readonly stage: Stage;
  /** The flag whose kill-switch is on (this one or an ancestor), or null. */
  readonly killedBy: string | null;
  /** The flag's own rollout (lists, percentage), or null without a document. */
  readonly rollout: FlagRollout | null;
  /** The segment whose override decided the backend's answer, even when an earlier rule decided. */
  readonly segment: string | null;
  /** The backend's reason verbatim (Flagsmith's `TARGETING_MATCH; segment=…`), or null without a document. */
  readonly backendReason: string | null;
  /** The identity's place in the percentage split (0–100), when the flag has one and the identity a bucket. */
  readonly bucket: (BucketInfo & { readonly inside: boolean }) | null;
}
