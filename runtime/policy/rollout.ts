import type { BucketBy } from '../manifest/types';
import type { Stage } from './decision';

/**
 * A flag's rollout as the environment document holds it: what `flagstage status` shows and what
 * change events compare. Lists are sorted so two equal rollouts compare equal.
 */
export interface FlagRollout {
  readonly flag: string;
  readonly stage: Stage;
  /** The flag's own kill-switch (not an ancestor's). */
  readonly killed: boolean;
  /**
   * Set when the manifest gives the flag a kill-switch but the document has no such feature: the
   * flag then counts as killed (a document can only close access it cannot read).
   */
  readonly killSwitchMissing?: true;
  readonly allowlist: { readonly users: readonly string[]; readonly orgs: readonly string[] };
  /** The percentage split, or null when none was ever set. */
  readonly percentage: { readonly value: number; readonly by: BucketBy } | null;
}
