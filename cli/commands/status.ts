import { prefixed } from '../../runtime/errors/flagstage-error';
import { printable } from '../output/escape';
import { parseArgs } from 'node:util';
import type { Manifest } from '../../runtime/manifest/types';
import { lineage } from '../../runtime/stages/parents';
import type { FlagRollout } from '../../runtime/stages/rollout';
import type { AuditEntry } from '../audit/entry';
import { BACKEND_HELP, BACKEND_OPTIONS, openContext } from '../context';
import { BackendError, UsageError, type CliIO, type Command } from '../io';
import { painter, table, type Paint } from '../output/table';
import { describeGuardTrip, guardTripOf, type GuardTripStatus } from '../output/plan';
import type { Backend } from '../backend';

/** One row of `flagstage status --json`. */
export interface FlagStatus {
  readonly flag: string;
  readonly feature: string;
  readonly parent: string | null;
  readonly stage: FlagRollout['stage'];
  /** The flag's own kill-switch. */
  readonly killed: boolean;
  /** The flag (itself first) or ancestor whose kill-switch is on, or null. */
  readonly killedBy: string | null;
  /**
   * The flag's kill-switch feature, when the document lacks it: the flag then counts as killed
   * (a document can only close access it cannot read). Absent when the feature exists.
   */
  readonly killSwitchMissing?: string;
  readonly allowlist: { readonly users: number; readonly orgs: number };
  readonly percentage: FlagRollout['percentage'];
  readonly lastChange: { readonly at: string; readonly actor: string; readonly command: string; readonly reason: string | null } | null;
  /** The guard trip holding the flag's own kill-switch on (its kill was a guard's), or null. */
  readonly guardTrip: GuardTripStatus | null;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'every flag: stage, kill-switch, allowlist sizes, percentage, parent, last change',
  help: `Usage: flagstage status [options]

Shows every flag of the manifest as the backend holds it now: its stage, whether it is killed
(by its own kill-switch or an ancestor's), how many users and orgs are allowlisted, the percentage
and its bucketing, its parent, and the last change recorded in the audit log. A flag killed by a
rollout plan's guard (the control plane) gets a line under the table: what the guard measured,
when, and the revive command (the guard never revives: a person does); --json has it as guardTrip.

Options:
${BACKEND_HELP}
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: BACKEND_OPTIONS, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new UsageError(`unexpected "${positionals.join(' ')}"; status takes no arguments`);
    const { manifest, backend } = await openContext(io, values);
    const [snapshot, audit] = await Promise.all([backend.read(), backend.audit()]);
    const flags = await Promise.all(Object.keys(manifest.flags).map((key) => statusOf(manifest, snapshot.rollouts, audit, key, backend)));
    for (const flag of flags) {
      if (flag.killSwitchMissing === undefined) continue;
      io.stderr(
        prefixed(`warning: the kill-switch feature "${flag.killSwitchMissing}" of flag ${flag.flag} is missing, so ${flag.flag} counts as killed for everyone but admins. ` +
          `Run \`flagstage provision\` to recreate it (disabled = not killed), or \`flagstage kill ${flag.flag}\` to keep it killed.`) + '\n',
      );
    }
    if (values.json) {
      io.stdout(`${JSON.stringify({ backend: backend.kind, location: backend.location, revision: snapshot.revision, flags }, null, 2)}\n`);
      return 0;
    }
    const paint = painter(io.isTTY);
    io.stdout(`${paint('dim', `${backend.kind}: ${backend.location}, revision ${snapshot.revision ?? 'none'}`)}\n`);
    io.stdout(
      table(
        ['FLAG', 'PARENT', 'STAGE', 'KILLED', 'ALLOWLIST', 'PERCENTAGE', 'LAST CHANGE'],
        flags.map((flag) => [
          flag.flag,
          flag.parent ?? '-',
          stageCell(flag.stage, paint),
          flag.killedBy === null
            ? 'no'
            : paint('red', flag.killSwitchMissing !== undefined ? `KILLED (${flag.killSwitchMissing} missing)` : flag.killedBy === flag.flag ? 'KILLED' : `via ${flag.killedBy}`),
          `${flag.allowlist.users} user${flag.allowlist.users === 1 ? '' : 's'}, ${flag.allowlist.orgs} org${flag.allowlist.orgs === 1 ? '' : 's'}`,
          flag.percentage === null ? '-' : `${flag.percentage.value}% by ${flag.percentage.by}`,
          flag.lastChange === null ? '-' : printable(`${flag.lastChange.at} ${flag.lastChange.command} by ${flag.lastChange.actor}${flag.lastChange.reason ? ` (${flag.lastChange.reason})` : ''}`),
        ]),
      ),
    );
    for (const flag of flags) if (flag.guardTrip !== null) io.stdout(`${describeGuardTrip(flag.flag, flag.guardTrip, io.isTTY)}\n`);
    return 0;
  },
};

async function statusOf(manifest: Manifest, rollouts: Readonly<Record<string, FlagRollout>>, audit: readonly AuditEntry[], key: string, backend: Backend): Promise<FlagStatus> {
  const definition = manifest.flags[key];
  const rollout = rollouts[key];
  if (definition === undefined || rollout === undefined) throw new BackendError(`internal error: no rollout for "${key}"`);
  const last = [...audit].reverse().find((entry) => entry.flag === key) ?? null;
  // Only a guard's kill still in force costs a request (the plan holds what it measured); the
  // audit says whose the kill was, so a person's later kill is not blamed on an old trip.
  const lastKill = [...audit].reverse().find((entry) => entry.flag === key && entry.command === 'kill') ?? null;
  const guardTrip =
    rollout.killed && backend.plans && lastKill !== null && lastKill.actor.startsWith('guard:')
      ? guardTripOf(await backend.plans.get(key), lastKill.actor, key)
      : null;
  return {
    flag: key,
    feature: definition.feature,
    parent: definition.parent,
    stage: rollout.stage,
    killed: rollout.killed,
    killedBy: killedBy(manifest, rollouts, key),
    ...(rollout.killSwitchMissing && definition.killSwitchFeature !== null ? { killSwitchMissing: definition.killSwitchFeature } : {}),
    allowlist: { users: rollout.allowlist.users.length, orgs: rollout.allowlist.orgs.length },
    percentage: rollout.percentage,
    lastChange: last === null ? null : { at: last.at, actor: last.actor, command: last.command, reason: last.reason },
    guardTrip,
  };
}

/** The flag (itself first) or ancestor whose kill-switch is on, or null (`status`, `plan`). */
export function killedBy(manifest: Manifest, rollouts: Readonly<Record<string, FlagRollout>>, key: string): string | null {
  return lineage(manifest, key).find((flag) => rollouts[flag]?.killed) ?? null;
}

function stageCell(stage: FlagRollout['stage'], paint: Paint): string {
  switch (stage) {
    case 'admin-only':
      return paint('dim', stage);
    case 'allowlist':
      return paint('blue', stage);
    case 'percentage':
      return paint('yellow', stage);
    case 'ga':
      return paint('green', stage);
  }
}
