/**
 * The rollout stages, in order. Every other module takes the order from here: a stage "from X up"
 * is `stageAtLeast(stage, X)`.
 *
 *   admin-only  ->  allowlist (users, orgs)  ->  percentage (user or org hash)  ->  ga
 */

/** The rollout stage of a flag, as derived from the environment document. */
export type Stage = 'admin-only' | 'allowlist' | 'percentage' | 'ga';

/**
 * Every stage, lowest first.
 *
 * @example
 * ```ts
 * STAGES.join(' -> '); // 'admin-only -> allowlist -> percentage -> ga'
 * ```
 */
export const STAGES: readonly Stage[] = Object.freeze(['admin-only', 'allowlist', 'percentage', 'ga'] as const);

/**
 * Whether `stage` is `floor` or a later stage.
 *
 * @example
 * ```ts
 * stageAtLeast('percentage', 'allowlist'); // true: the allowlist still applies at percentage
 * stageAtLeast('admin-only', 'allowlist'); // false
 * ```
 */
export function stageAtLeast(stage: Stage, floor: Stage): boolean {
  return STAGES.indexOf(stage) >= STAGES.indexOf(floor);
}

/**
 * Whether a string names a stage.
 *
 * @example
 * ```ts
 * isStage('ga'); // true
 * ```
 */
export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}
