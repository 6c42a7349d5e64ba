import type { BucketBy, Manifest } from '../../runtime/manifest/types';
import type { Stage } from '../../runtime/policy/decision';
import type { FlagRollout } from '../../runtime/policy/rollout';
import { UsageError } from '../io';

/**
 * The rollout transitions behind each command: pure functions from the state the backend holds to
 * the flag's next rollout, with the notes a person needs ("takes effect at stage allowlist"). They
 * throw a UsageError (exit 1, state untouched) when a change cannot be made as asked.
 */

export const STAGES: readonly Stage[] = ['admin-only', 'allowlist', 'percentage', 'ga'];
const RANK: Record<Stage, number> = { 'admin-only': 0, allowlist: 1, percentage: 2, ga: 3 };

/** What a plan sees: the manifest and every flag's current rollout. */
export interface PlanState {
  readonly manifest: Manifest;
  readonly rollouts: Readonly<Record<string, FlagRollout>>;
}

/** A planned change: the flag's next rollout, plus what to tell the person who asked. */
export interface Plan {
  readonly after: FlagRollout;
  /** Facts about the change (for example that a list takes effect only at a later stage). */
  readonly notes: readonly string[];
}

/**
 * Moves a flag to a stage, keeping its lists and percentage. A sub-flag cannot be raised above
 * admin-only while its parent is admin-only (it could not take effect anywhere but for admins)
 * unless `force` is set; above its parent's stage it is allowed, with a note that it only takes
 * effect where the parent is allowed.
 *
 * @example
 * ```ts
 * planStage(state, 'gastown', 'allowlist', { force: false }).after.stage; // 'allowlist'
 * ```
 */
export function planStage(state: PlanState, flag: string, stage: Stage, options: { readonly force: boolean }): Plan {
  const before = current(state, flag);
  const notes: string[] = [];
  if (stage === 'percentage' && before.percentage === null) {
    throw new UsageError(`${flag} has no percentage yet; set one first with \`flagstage percent ${flag} <0-100>\`, then run \`flagstage stage ${flag} percentage\``);
  }
  const parentKey = state.manifest.flags[flag]?.parent ?? null;
  if (parentKey !== null && RANK[stage] > 0) {
    const parent = current(state, parentKey);
    if (parent.stage === 'admin-only' && !options.force) {
      throw new UsageError(
        `${flag} at ${stage} cannot take effect while its parent ${parentKey} is admin-only (only admins get ${parentKey}); ` +
          `raise ${parentKey} first, or pass --force to stage ${flag} ahead of it`,
      );
    }
    if (RANK[stage] > RANK[parent.stage]) notes.push(`${flag} takes effect only where its parent ${parentKey} is allowed (${parentKey} is at ${parent.stage})`);
    if (parent.killed) notes.push(`${parentKey} is killed: ${flag} is off for everyone but admins until \`flagstage revive ${parentKey}\``);
  }
  if (before.killed) notes.push(`${flag} is killed: the new stage takes effect when it is revived (\`flagstage revive ${flag}\`)`);
  return { after: { ...before, stage }, notes };
}

/**
 * Adds users and orgs to a flag's allowlist (kept sorted and without duplicates).
 *
 * @example
 * ```ts
 * planAllow(state, 'gastown', { users: ['u1'], orgs: ['acme'] }).after.allowlist; // { users: ['u1', …], orgs: ['acme', …] }
 * ```
 */
export function planAllow(state: PlanState, flag: string, ids: Ids): Plan {
  const before = current(state, flag);
  const allowlist = { users: union(before.allowlist.users, ids.users), orgs: union(before.allowlist.orgs, ids.orgs) };
  const notes = [...already(before.allowlist, ids, 'already on the allowlist', true), ...belowNote(flag, before, 'allowlist', 'the allowlist')];
  return { after: { ...before, allowlist }, notes };
}

/**
 * Removes users and orgs from a flag's allowlist.
 *
 * @example
 * ```ts
 * planDisallow(state, 'gastown', { users: ['u1'], orgs: [] });
 * ```
 */
export function planDisallow(state: PlanState, flag: string, ids: Ids): Plan {
  const before = current(state, flag);
  const allowlist = {
    users: before.allowlist.users.filter((id) => !ids.users.includes(id)),
    orgs: before.allowlist.orgs.filter((id) => !ids.orgs.includes(id)),
  };
  const notes = [...already(before.allowlist, ids, 'not on the allowlist', false), ...belowNote(flag, before, 'allowlist', 'the allowlist')];
  return { after: { ...before, allowlist }, notes };
}

/**
 * Sets a flag's percentage split. `by` defaults to the current split's bucketing, else the manifest's.
 *
 * @example
 * ```ts
 * planPercent(state, 'gastown', 10, undefined).after.percentage; // { value: 10, by: 'user' }
 * ```
 */
export function planPercent(state: PlanState, flag: string, value: number, by: BucketBy | undefined): Plan {
  const before = current(state, flag);
  const definition = state.manifest.flags[flag];
  const bucketBy = by ?? before.percentage?.by ?? definition?.bucketBy ?? 'user';
  const notes = [...belowNote(flag, before, 'percentage', 'the percentage')];
  if (definition && bucketBy !== definition.bucketBy) {
    notes.push(`bucketing by ${bucketBy} differs from flags.config.ts (bucketBy: '${definition.bucketBy}'); update the manifest to match`);
  }
  if (before.percentage !== null && before.percentage.by !== bucketBy) {
    notes.push(`changing the bucketing from ${before.percentage.by} to ${bucketBy} reshuffles who is in`);
  } else if (before.percentage !== null && value < before.percentage.value && RANK[before.stage] >= RANK.percentage) {
    notes.push(`ramping down from ${before.percentage.value}% removes the identities bucketed above ${value}`);
  }
  return { after: { ...before, percentage: { value, by: bucketBy } }, notes };
}

/**
 * Turns a flag's kill-switch on (`killed: true`) or off. Only flags with a kill-switch of their own
 * can be killed; a sub-flag is killed through its parent.
 *
 * @example
 * ```ts
 * planKill(state, 'gastown', true).after.killed; // true
 * ```
 */
export function planKill(state: PlanState, flag: string, killed: boolean): Plan {
  const before = current(state, flag);
  const definition = state.manifest.flags[flag];
  if (definition && definition.killSwitchFeature === null) {
    const root = rootWithKillSwitch(state.manifest, flag);
    throw new UsageError(
      `${flag} has no kill-switch of its own${root ? `: it is killed with its parent; run \`flagstage ${killed ? 'kill' : 'revive'} ${root}\`` : '; set killSwitch: true in flags.config.ts'}`,
    );
  }
  const notes = killed ? [] : [`${flag} is back at stage ${before.stage}`];
  return { after: { ...before, killed }, notes };
}

/** Users and orgs named on the command line. */
export interface Ids {
  readonly users: readonly string[];
  readonly orgs: readonly string[];
}

/**
 * Whether two rollouts are the same (lists are sorted by the reader, so order matters not).
 *
 * @example
 * ```ts
 * sameRollout(before, plan.after); // true when the command changes nothing
 * ```
 */
export function sameRollout(a: FlagRollout, b: FlagRollout): boolean {
  return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
}

function normal(rollout: FlagRollout) {
  return {
    flag: rollout.flag,
    stage: rollout.stage,
    killed: rollout.killed,
    users: [...rollout.allowlist.users].sort(),
    orgs: [...rollout.allowlist.orgs].sort(),
    percentage: rollout.percentage === null ? null : { value: rollout.percentage.value, by: rollout.percentage.by },
  };
}

function current(state: PlanState, flag: string): FlagRollout {
  const rollout = state.rollouts[flag];
  if (rollout === undefined) throw new UsageError(`"${flag}" is not a flag of this manifest`);
  return rollout;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function already(list: FlagRollout['allowlist'], ids: Ids, what: string, present: boolean): string[] {
  const users = ids.users.filter((id) => list.users.includes(id) === present);
  const orgs = ids.orgs.filter((id) => list.orgs.includes(id) === present);
  const parts = [...users.map((id) => `user ${id}`), ...orgs.map((id) => `org ${id}`)];
  return parts.length > 0 ? [`${parts.join(', ')} ${parts.length === 1 ? 'is' : 'are'} ${what}`] : [];
}

function belowNote(flag: string, rollout: FlagRollout, stage: 'allowlist' | 'percentage', what: string): string[] {
  if (RANK[rollout.stage] >= RANK[stage]) return [];
  return [`${flag} is at ${rollout.stage}: ${what} takes effect from stage ${stage} (\`flagstage stage ${flag} ${stage}\`)`];
}

function rootWithKillSwitch(manifest: Manifest, flag: string): string | null {
  let parent = manifest.flags[flag]?.parent ?? null;
  while (parent !== null) {
    if (manifest.flags[parent]?.killSwitchFeature) return parent;
    parent = manifest.flags[parent]?.parent ?? null;
  }
  return null;
}
