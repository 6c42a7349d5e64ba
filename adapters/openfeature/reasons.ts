import type { Decision, DecisionReason } from '../../runtime/policy/decision';

/** OpenFeature's resolution reasons that a flagstage decision maps onto. */
export type OpenFeatureReason = 'TARGETING_MATCH' | 'SPLIT' | 'STATIC' | 'DEFAULT' | 'DISABLED' | 'ERROR';

/**
 * How flagstage's reasons map onto OpenFeature's (the README's reason table). flagstage's own
 * reason always travels along in `flagMetadata.reason`.
 *
 * | flagstage      | OpenFeature       | why |
 * |----------------|-------------------|-----|
 * | admin          | TARGETING_MATCH   | the admin floor is a targeting rule |
 * | allowlist      | TARGETING_MATCH   | the identity is on the flag's list |
 * | percentage     | SPLIT             | the identity's hash fell in the rollout's range |
 * | ga             | STATIC            | everyone gets it: no targeting involved |
 * | not-enabled    | DEFAULT           | no stage rule took the identity in: the flag's default (off) |
 * | parent         | DEFAULT           | the parent flag is off for the identity, so this one falls back to off |
 * | killed         | DISABLED          | the kill-switch disabled the flag |
 * | no-environment | ERROR             | no document was ever loaded (`PROVIDER_NOT_READY`): off, admins only |
 */
export const OPENFEATURE_REASONS: Readonly<Record<DecisionReason, OpenFeatureReason>> = Object.freeze({
  admin: 'TARGETING_MATCH',
  allowlist: 'TARGETING_MATCH',
  percentage: 'SPLIT',
  ga: 'STATIC',
  'not-enabled': 'DEFAULT',
  parent: 'DEFAULT',
  killed: 'DISABLED',
  'no-environment': 'ERROR',
});

/** What `flagMetadata` carries: flagstage's own reason, the stage, the kill state and the revision. */
export interface DecisionMetadata {
  readonly [key: string]: string | boolean;
  readonly reason: DecisionReason;
  readonly stage: Decision['stage'];
  readonly killed: boolean;
}

/**
 * The flag metadata of a decision (`revision` is left out without a document: metadata values
 * cannot be null).
 *
 * @example
 * ```ts
 * decisionMetadata(decision); // { reason: 'percentage', stage: 'percentage', killed: false, revision: '2025-…' }
 * ```
 */
export function decisionMetadata(decision: Decision<string>): DecisionMetadata {
  return decision.revision === null
    ? { reason: decision.reason, stage: decision.stage, killed: decision.killed }
    : { reason: decision.reason, stage: decision.stage, killed: decision.killed, revision: decision.revision };
}
