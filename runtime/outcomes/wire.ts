import type { DecisionReason } from '../policy/decision';
import type { Outcome } from './types';

/**
 * The body of `POST /v1/environments/{environment}/outcomes`: outcomes counted per flag, decision
 * reason and outcome since the last batch. The control plane refuses anything else (and counts it).
 */
export interface OutcomeBatch {
  /** The share of outcomes the reporter kept (0 < rate <= 1); the guard's rate is computed on what was kept. */
  readonly sampleRate: number;
  readonly outcomes: readonly OutcomeCount[];
}

/** How many outcomes of one kind a batch carries. */
export interface OutcomeCount {
  readonly flag: string;
  /** The reason of the decision that let the identity in: the guard counts only `allowlist` and `percentage`. */
  readonly reason: DecisionReason;
  readonly outcome: Outcome;
  /** At least 1, at most `MAX_OUTCOME_COUNT`. */
  readonly count: number;
}

/** The most entries one batch may carry. */
export const MAX_BATCH_ENTRIES = 1_000;
/** The largest `count` of one entry. */
export const MAX_OUTCOME_COUNT = 10_000;
/** The largest batch body, in bytes. */
export const MAX_BATCH_BYTES = 128 * 1024;
