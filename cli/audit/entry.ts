import type { FlagRollout } from '../../runtime/stages/rollout';

/**
 * One change made through the CLI, as a line of `.flagstage/audit.jsonl`: who, when, which command
 * on which flag, why, and the flag's rollout before and after.
 */
export interface AuditEntry {
  /** ISO timestamp of the change. */
  readonly at: string;
  readonly actor: string;
  /** The command: `stage`, `allow`, `disallow`, `percent`, `kill` or `revive`. */
  readonly command: string;
  /** The command's arguments after the command name, as typed. */
  readonly args: readonly string[];
  readonly flag: string;
  readonly reason: string | null;
  /** Which backend was changed, and the environment (its api key) within it. */
  readonly backend: 'local' | 'flagsmith' | 'remote';
  readonly environment: string;
  /** The document revision after the change, when the backend reports one. */
  readonly revision: string | null;
  readonly before: FlagRollout;
  readonly after: FlagRollout;
  /**
   * Set on the record of an attempt that did not stand: `rolled-back` (written, read back wrong,
   * undone) or `refused` (read back wrong before anything was written). `after` is what was asked.
   */
  readonly outcome?: 'rolled-back' | 'refused';
  /** Why the attempt did not stand. */
  readonly problem?: string;
}

/**
 * A short human description of what changed between two rollouts.
 *
 * @example
 * ```ts
 * describeChange(before, after); // 'stage allowlist -> percentage; percentage 10% -> 50% (user)'
 * ```
 */
export function describeChange(before: FlagRollout, after: FlagRollout): string {
  const parts: string[] = [];
  if (before.stage !== after.stage) parts.push(`stage ${before.stage} -> ${after.stage}`);
  if (before.killed !== after.killed) parts.push(after.killed ? 'killed' : 'revived');
  const users = listDelta('user', before.allowlist.users, after.allowlist.users);
  const orgs = listDelta('org', before.allowlist.orgs, after.allowlist.orgs);
  if (users) parts.push(users);
  if (orgs) parts.push(orgs);
  const p = (r: FlagRollout) => (r.percentage === null ? 'none' : `${r.percentage.value}% (${r.percentage.by})`);
  if (p(before) !== p(after)) parts.push(`percentage ${p(before)} -> ${p(after)}`);
  return parts.length > 0 ? parts.join('; ') : 'no change';
}

function listDelta(kind: string, before: readonly string[], after: readonly string[]): string | null {
  const added = after.filter((id) => !before.includes(id));
  const removed = before.filter((id) => !after.includes(id));
  const parts: string[] = [];
  if (added.length > 0) parts.push(`+${added.length} ${kind}${added.length === 1 ? '' : 's'} (${abbreviate(added)})`);
  if (removed.length > 0) parts.push(`-${removed.length} ${kind}${removed.length === 1 ? '' : 's'} (${abbreviate(removed)})`);
  return parts.length > 0 ? parts.join(' ') : null;
}

function abbreviate(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')}, …`;
}

/** What a backend knows about a change it has just made; the request supplies the rest. */
export interface AuditedChange {
  readonly at: string;
  readonly backend: AuditEntry['backend'];
  readonly environment: string;
  readonly revision: string | null;
  readonly before: FlagRollout;
  readonly after: FlagRollout;
}

/**
 * The audit entry for a change request, so both backends record exactly the same fields.
 *
 * @example
 * ```ts
 * appendAudit(path, auditEntry(request, { at, backend: 'local', environment, revision, before, after }));
 * ```
 */
export function auditEntry(
  request: { readonly actor: string; readonly command: string; readonly args: readonly string[]; readonly flag: string; readonly reason: string | null },
  change: AuditedChange,
): AuditEntry {
  const { actor, command, args, flag, reason } = request;
  return { at: change.at, actor, command, args, flag, reason, backend: change.backend, environment: change.environment, revision: change.revision, before: change.before, after: change.after };
}
