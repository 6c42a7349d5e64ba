import { STAGES } from '../../runtime/stages/index';
import type { FlagStatus, Rollout } from './backend';

/**
 * The effect of a flag's state, and of a change to it, in words a person can check before
 * confirming ("percentage 30% by user: about 30% of signed-in users, plus 2 users and 1 org on the
 * allowlist, plus admins"). Pure functions of the API's status.
 */

type Stage = Rollout['stage'];
const rank = (stage: Stage): number => STAGES.indexOf(stage);

/** A count with its noun: `1 user`, `2 orgs`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Who a rollout lets in, ignoring kill-switches and parents.
 *
 * @example
 * ```ts
 * audience({ stage: 'percentage', allowlist: { users: ['a', 'b'], orgs: ['acme'] }, percentage: { value: 30, by: 'user' } });
 * // 'percentage 30% by user: about 30% of signed-in users, plus 2 users and 1 org on the allowlist, plus admins'
 * ```
 */
export function audience(rollout: Pick<Rollout, 'stage' | 'allowlist' | 'percentage'>): string {
  const listed = `${count(rollout.allowlist.users.length, 'user')} and ${count(rollout.allowlist.orgs.length, 'org')} on the allowlist`;
  switch (rollout.stage) {
    case 'admin-only':
      return 'admin-only: only admins';
    case 'allowlist':
      return `allowlist: ${listed}, plus admins`;
    case 'percentage': {
      const split = rollout.percentage ?? { value: 0, by: 'user' as const };
      const who = split.by === 'org' ? `the members of about ${split.value}% of orgs (by org)` : `about ${split.value}% of signed-in users`;
      return `percentage ${split.value}% by ${split.by}: ${who}, plus ${listed}, plus admins`;
    }
    case 'ga':
      return 'GA: everyone signed in';
  }
}

/** The flag whose kill-switch takes this flag out (itself or an ancestor), in words; null when none. */
export function killState(flag: FlagStatus): string | null {
  if (flag.killed) return 'killed: only admins get it for new access';
  if (flag.killedBy !== null) return `killed through ${flag.killedBy}: only admins get it for new access`;
  return null;
}

/** Why raising a sub-flag changes nothing: an ancestor is admin-only. Null when none is. */
export function blockedByParent(flag: FlagStatus, all: readonly FlagStatus[]): string | null {
  const byKey = new Map(all.map((entry) => [entry.flag, entry]));
  let parent = flag.parent === null ? undefined : byKey.get(flag.parent);
  while (parent) {
    if (parent.stage === 'admin-only') {
      return `${flag.flag} is a sub-flag of ${parent.flag}, which is admin-only: only admins get ${parent.flag}, so raising ${flag.flag} changes nothing for anyone else until ${parent.flag} is raised.`;
    }
    parent = parent.parent === null ? undefined : byKey.get(parent.parent);
  }
  return null;
}

/**
 * What moving a flag to `stage` does, as lines to read before confirming.
 *
 * @example
 * ```ts
 * stageEffect(flag, 'ga', all); // ['After: GA: everyone signed in', …]
 * ```
 */
export function stageEffect(flag: FlagStatus, stage: Stage, all: readonly FlagStatus[]): string[] {
  const lines = [`Now: ${audience(flag)}.`, `After: ${audience({ ...flag, stage })}.`];
  if (rank(stage) < rank(flag.stage)) lines.push(`Lowering the stage takes ${flag.flag} away from people who have it now.`);
  if (rank(stage) > 0) {
    const blocked = blockedByParent(flag, all);
    if (blocked) lines.push(blocked);
    else if (flag.parent !== null) lines.push(`${flag.flag} takes effect only where its parent ${flag.parent} is allowed.`);
  }
  const killed = killState(flag);
  if (killed) lines.push(`It is ${killed}; the new stage takes effect when it is revived.`);
  return lines;
}

/**
 * What setting the percentage does: ramping up never removes anyone already in; ramping down does.
 * `down` is true when it removes people (and so needs a confirmation).
 *
 * @example
 * ```ts
 * percentEffect(flag, 60, 'user'); // { down: false, lines: ['Ramping up from 30% to 60% never removes anyone already in…'] }
 * ```
 */
export function percentEffect(flag: FlagStatus, value: number, by: 'user' | 'org'): { readonly down: boolean; readonly lines: string[] } {
  const before = flag.percentage;
  const lines: string[] = [];
  let down = false;
  const live = flag.stage === 'percentage';
  if (before !== null && before.by !== by) {
    down = live;
    lines.push(`Changing the bucketing from ${before.by} to ${by} reshuffles who is in${live ? ': some people who have it now lose it' : ''}.`);
  } else if (before !== null && value < before.value) {
    down = live;
    lines.push(`Ramping down from ${before.value}% to ${value}% removes the ${by === 'org' ? 'orgs' : 'users'} bucketed above ${value}${live ? '' : ' (the flag is not at stage percentage yet, so nobody loses it now)'}.`);
  } else if (before !== null && value > before.value) {
    lines.push(`Ramping up from ${before.value}% to ${value}% never removes anyone already in: it only adds people.`);
  } else if (before === null) {
    lines.push(`The split starts at ${value}% by ${by}.`);
  }
  if (!live) lines.push(`${flag.flag} is at ${flag.stage}: the percentage takes effect from stage percentage.`);
  else lines.push(`After: ${audience({ ...flag, percentage: { value, by } })}.`);
  return { down, lines };
}
