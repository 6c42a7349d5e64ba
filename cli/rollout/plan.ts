import type { BucketBy, Manifest } from '../../runtime/manifest/types';
import { allowlistProblem } from '../../runtime/stages/allowlist';
import { ancestors } from '../../runtime/stages/parents';
import type { FlagRollout } from '../../runtime/stages/rollout';
import { stageAtLeast, type Stage } from '../../runtime/stages/stages';
import { UsageError } from '../io';

/**
 * The rollout transitions behind each command: pure functions from the state the backend holds to
 * the flag's next rollout, with the notes a person needs ("takes effect at stage allowlist"). They
 * throw a UsageError (exit 1, state untouched) when a change cannot be made as asked.
 */


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
  if (parentKey !== null && stage !== 'admin-only') {
    const parent = current(state, parentKey);
    if (parent.stage === 'admin-only' && !options.force) {
      throw new UsageError(
        `${flag} at ${stage} cannot take effect while its parent ${parentKey} is admin-only (only admins get ${parentKey}); ` +
          `raise ${parentKey} first, or pass --force to stage ${flag} ahead of it`,
      );
    }
    if (!stageAtLeast(parent.stage, stage)) notes.push(`${flag} takes effect only where its parent ${parentKey} is allowed (${parentKey} is at ${parent.stage})`);
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
  // Refused before anything is written, on every backend: an id Flagsmith would read as something
  // else (a JSON array, a list), or a list beyond Flagsmith's limits.
  const problem = allowlistProblem({ users: ids.users, orgs: ids.orgs }) ?? allowlistProblem(allowlist);
  if (problem !== null) throw new UsageError(problem);
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
  } else if (before.percentage !== null && value < before.percentage.value && stageAtLeast(before.stage, 'percentage')) {
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
  if (stageAtLeast(rollout.stage, stage)) return [];
  return [`${flag} is at ${rollout.stage}: ${what} takes effect from stage ${stage} (\`flagstage stage ${flag} ${stage}\`)`];
}

function rootWithKillSwitch(manifest: Manifest, flag: string): string | null {
  return ancestors(manifest, flag).find((key) => manifest.flags[key]?.killSwitchFeature) ?? null;
}
