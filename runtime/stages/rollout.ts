import type { BucketBy } from '../manifest/types';
import type { Stage } from './stages';

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
  readonly allowlist: Allowlist;
  /** The percentage split, or null when none was ever set. */
  readonly percentage: Percentage | null;
}

/**
 * A rollout as a decision needs it: the lists may be left unread. Reading (and sorting) thousands of
 * ids is the costliest part of a document no decision needs, only status, explain and change events,
 * so the gates' Flagsmith backend never reads them (`readLayouts`; `readRollout` reads them).
 */
export interface FlagStanding extends Omit<FlagRollout, 'allowlist'> {
  readonly allowlist?: Allowlist;
}

/** The users and orgs of an allowlist. */
export interface Allowlist {
  readonly users: readonly string[];
  readonly orgs: readonly string[];
}

/** A percentage split: who is in is decided by hashing the user's or the org's id. */
export interface Percentage {
  readonly value: number;
  readonly by: BucketBy;
}

/**
 * The parts of a flag's rollout one change sets; what it leaves out stays as the document has it.
 * A percentage, once set, can be changed but not removed (moving below the stage keeps it).
 */
export interface RolloutPatch {
  readonly stage?: Stage;
  readonly killed?: boolean;
  readonly allowlist?: Allowlist;
  readonly percentage?: Percentage;
}

/**
 * Whether two rollouts are the same: the one comparison behind "no change", change events and the
 * CLI's read-back check. Lists compare as sets (order and duplicates do not matter).
 *
 * @example
 * ```ts
 * sameRollout(before, plan.after); // true when the command changes nothing
 * ```
 */
export function sameRollout(a: FlagRollout, b: FlagRollout): boolean {
  return (
    a.flag === b.flag &&
    a.stage === b.stage &&
    a.killed === b.killed &&
    sameAllowlist(a.allowlist, b.allowlist) &&
    a.percentage?.value === b.percentage?.value &&
    a.percentage?.by === b.percentage?.by
  );
}

/**
 * What has to change to turn `before` into `after`: only the differing parts, so a writer touches
 * nothing else (an allowlist change never rewrites the kill-switch).
 *
 * @example
 * ```ts
 * rolloutPatch(before, { ...before, killed: true }); // { killed: true }
 * ```
 */
export function rolloutPatch(before: FlagRollout, after: FlagRollout): RolloutPatch {
  const patch: { -readonly [P in keyof RolloutPatch]: RolloutPatch[P] } = {};
  if (before.stage !== after.stage) patch.stage = after.stage;
  if (before.killed !== after.killed) patch.killed = after.killed;
  if (!sameAllowlist(before.allowlist, after.allowlist)) patch.allowlist = after.allowlist;
  if (after.percentage !== null && (before.percentage?.value !== after.percentage.value || before.percentage.by !== after.percentage.by)) {
    patch.percentage = after.percentage;
  }
  return patch;
}

/**
 * A rollout with a patch applied (what the document will read back as once the patch is written).
 *
 * @example
 * ```ts
 * patchedRollout(before, { stage: 'ga' }).stage; // 'ga'
 * ```
 */
export function patchedRollout(rollout: FlagRollout, patch: RolloutPatch): FlagRollout {
  return {
    flag: rollout.flag,
    stage: patch.stage ?? rollout.stage,
    killed: patch.killed ?? rollout.killed,
    allowlist: patch.allowlist === undefined ? rollout.allowlist : { users: sortedSet(patch.allowlist.users), orgs: sortedSet(patch.allowlist.orgs) },
    percentage: patch.percentage === undefined ? rollout.percentage : { value: patch.percentage.value, by: patch.percentage.by },
  };
}

function sameAllowlist(a: Allowlist, b: Allowlist): boolean {
  return sameSet(a.users, b.users) && sameSet(a.orgs, b.orgs);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = sortedSet(a);
  const right = sortedSet(b);
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function sortedSet(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}
