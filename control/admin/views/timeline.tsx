/** @jsxImportSource hono/jsx */
import type { AuditEntry, Rollout } from '../backend';

/** One line per field a change touched: `stage: allowlist → percentage`, `users: + alice, − bob`. */
export function rolloutDiff(before: Rollout, after: Rollout): string[] {
  const lines: string[] = [];
  if (before.stage !== after.stage) lines.push(`stage: ${before.stage} → ${after.stage}`);
  if (before.killed !== after.killed) lines.push(`kill-switch: ${before.killed ? 'on' : 'off'} → ${after.killed ? 'on' : 'off'}`);
  const list = (name: string, a: readonly string[], b: readonly string[]) => {
    const added = b.filter((id) => !a.includes(id));
    const removed = a.filter((id) => !b.includes(id));
    if (added.length + removed.length === 0) return;
    lines.push(`${name}: ${[...added.map((id) => `+ ${id}`), ...removed.map((id) => `− ${id}`)].join(', ')}`);
  };
  list('users', before.allowlist.users, after.allowlist.users);
  list('orgs', before.allowlist.orgs, after.allowlist.orgs);
  const pct = (p: Rollout['percentage']) => (p === null ? 'none' : `${p.value}% by ${p.by}`);
  if (pct(before.percentage) !== pct(after.percentage)) lines.push(`percentage: ${pct(before.percentage)} → ${pct(after.percentage)}`);
  return lines;
}

/** Audit entries, newest first: who, when, what, why, and the before/after difference. */
export function Timeline(props: { readonly entries: readonly AuditEntry[]; readonly showFlag: boolean; readonly flagHref?: (flag: string) => string }) {
  if (props.entries.length === 0) return <p class="muted">No changes yet.</p>;
  return (
    <ol class="timeline">
      {props.entries.map((entry) => (
        <li id={`audit-${entry.id}`}>
          <div>
            <strong>{entry.command}</strong>
            {props.showFlag ? (
              <>
                {' '}
                {props.flagHref ? <a href={props.flagHref(entry.flag)}>{entry.flag}</a> : <span>{entry.flag}</span>}
              </>
            ) : null}{' '}
            by <span class="id">{entry.actor}</span> at <time datetime={entry.at}>{entry.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time> · revision {entry.revision}
          </div>
          <div>
            Reason: <q>{entry.reason}</q>
          </div>
          <ul>
            {rolloutDiff(entry.before, entry.after).map((line) => (
              <li class="id">{line}</li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
