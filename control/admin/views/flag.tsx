/** @jsxImportSource hono/jsx */
import type { AuditEntry, FlagStatus, Plan, Status } from '../backend';
import { STAGES } from '../../../runtime/stages/index';
import { audience, blockedByParent, count, killState } from '../effects';
import { Banner, Csrf, Disabled, envPath, Layout, Reason, whyDisabled, type PageContext } from './layout';
import { GuardAlert } from './guard';
import { PlanSection } from './plan';
import { ProblemBanner, type PageProblem } from './problem';
import { Timeline } from './timeline';


export interface FlagPageProps {
  readonly ctx: PageContext;
  readonly status: Status;
  readonly flag: FlagStatus;
  /** The flag's audit entries, newest first. */
  readonly entries: readonly AuditEntry[];
  /** The flag's rollout plan (active, else latest), or null. */
  readonly plan: Plan | null;
  /** The flag that holds this flag's kill-switch: itself, an ancestor (killed with it), or null. */
  readonly killSwitchOf: string | null;
  /** The allowlist search. */
  readonly query: string;
  readonly error?: PageProblem | undefined;
  /** The change just saved (after the redirect). */
  readonly saved?: AuditEntry | undefined;
}

/** One flag: its state, every change a person can make (stage, allowlist, percentage, kill/revive) and its history. */
export function FlagPage(props: FlagPageProps) {
  const { ctx, status, flag } = props;
  const operatorWhy = whyDisabled(ctx, 'operator');
  const action = (name: string) => envPath(ctx, `/flags/${encodeURIComponent(flag.flag)}/${name}`);
  const killed = killState(flag);
  const blocked = blockedByParent(flag, status.flags);
  const query = props.query.trim().toLowerCase();
  const match = (id: string) => query === '' || id.toLowerCase().includes(query);
  const users = flag.allowlist.users.filter(match);
  const orgs = flag.allowlist.orgs.filter(match);
  return (
    <Layout ctx={ctx} title={flag.flag}>
      <p>
        <a href={envPath(ctx)}>Overview</a> › {flag.flag}
      </p>
      <h1>{flag.flag}</h1>
      <ProblemBanner problem={props.error} />
      {props.saved ? (
        <Banner kind="saved">
          Saved as revision {props.saved.revision}: {props.saved.command} by <span class="id">{props.saved.actor}</span> (<q>{props.saved.reason}</q>).
        </Banner>
      ) : null}

      <GuardAlert ctx={ctx} flag={flag} plan={props.plan} killSwitchOf={props.killSwitchOf} />

      <section id="flag-state" data-live aria-labelledby="state-title">
        <h2 id="state-title">State at revision {status.revision}</h2>
        <dl>
          <dt>Stage</dt>
          <dd data-testid="stage">{flag.stage}</dd>
          <dt>Who gets it</dt>
          <dd data-testid="audience">{killed ? `Only admins (${killed}). When revived: ${audience(flag)}.` : `${audience(flag)}.`}</dd>
          <dt>Kill-switch</dt>
          <dd data-testid="kill">{killed ? <span class="killed">{killed}</span> : 'off'}</dd>
          <dt>Allowlist</dt>
          <dd>
            {count(flag.allowlist.users.length, 'user')}, {count(flag.allowlist.orgs.length, 'org')}
          </dd>
          <dt>Percentage</dt>
          <dd>{flag.percentage === null ? 'none set' : `${flag.percentage.value}% by ${flag.percentage.by}`}</dd>
          {flag.parent !== null ? (
            <>
              <dt>Parent</dt>
              <dd>
                <a href={envPath(ctx, `/flags/${encodeURIComponent(flag.parent)}`)}>{flag.parent}</a>: {flag.flag} is allowed only where {flag.parent} is.
              </dd>
            </>
          ) : null}
          <dt>Last change</dt>
          <dd>
            {flag.lastChange === null ? (
              'never changed'
            ) : (
              <>
                {flag.lastChange.command} by <span class="id">{flag.lastChange.actor}</span> at {flag.lastChange.at} (<q>{flag.lastChange.reason}</q>)
              </>
            )}
          </dd>
        </dl>
        {blocked ? (
          <p class="note" data-testid="parent-block">
            {blocked}
          </p>
        ) : null}
      </section>

      <Disabled id="why-disabled" why={operatorWhy} />

      <section id="kill-switch" data-live aria-labelledby="kill-title">
        <h2 id="kill-title">Kill-switch</h2>
        {props.killSwitchOf === null ? (
          <p>{flag.flag} has no kill-switch (set killSwitch: true in flags.config.ts).</p>
        ) : props.killSwitchOf !== flag.flag ? (
          <p>
            {flag.flag} has no kill-switch of its own: it is killed with{' '}
            <a href={envPath(ctx, `/flags/${encodeURIComponent(props.killSwitchOf)}`)}>{props.killSwitchOf}</a>.
          </p>
        ) : (
          <form method="post" action={action(flag.killed ? 'revive' : 'kill')}>
            <Csrf ctx={ctx} />
            <input type="hidden" name="revision" value={String(status.revision)} />
            <fieldset disabled={operatorWhy !== null} aria-describedby={operatorWhy ? 'why-disabled' : undefined}>
              <legend>
                {flag.killed
                  ? `Revive ${flag.flag}: back to exactly ${audience(flag)}`
                  : `Kill ${flag.flag}: everyone but admins loses it for new access at once; work in flight continues`}
              </legend>
              <Reason id="kill-reason" label={flag.killed ? 'Reason for reviving (required, goes to the audit log)' : 'Reason for the kill (required, goes to the audit log)'} />
              <button type="submit" class={flag.killed ? 'primary' : 'danger'}>
                {flag.killed ? `Revive ${flag.flag}…` : `Kill ${flag.flag}…`}
              </button>
            </fieldset>
          </form>
        )}
      </section>

      <section id="stage" data-live aria-labelledby="stage-title">
        <h2 id="stage-title">Stage</h2>
        <form method="post" action={action('stage')}>
          <Csrf ctx={ctx} />
          <input type="hidden" name="revision" value={String(status.revision)} />
          <fieldset disabled={operatorWhy !== null} aria-describedby={operatorWhy ? 'why-disabled' : undefined}>
            <legend>Move {flag.flag} to a stage (you review the effect before it is applied)</legend>
            {STAGES.map((stage) => {
              const noSplit = stage === 'percentage' && flag.percentage === null;
              return (
                <label for={`stage-${stage}`}>
                  <input type="radio" id={`stage-${stage}`} name="stage" value={stage} checked={stage === flag.stage} disabled={noSplit} required />{' '}
                  <strong>{stage}</strong> — {noSplit ? 'set a percentage first (below)' : audience({ ...flag, stage })}
                </label>
              );
            })}
            <Reason id="stage-reason" />
            <button type="submit">Review stage change</button>
          </fieldset>
        </form>
      </section>

      <section id="percentage" data-live aria-labelledby="percent-title">
        <h2 id="percent-title">Percentage</h2>
        <p class="muted">Ramping up never removes anyone already in: it only adds people. Ramping down removes people, so it asks you to confirm.</p>
        <form method="post" action={action('percent')}>
          <Csrf ctx={ctx} />
          <input type="hidden" name="revision" value={String(status.revision)} />
          <fieldset disabled={operatorWhy !== null} aria-describedby={operatorWhy ? 'why-disabled' : undefined}>
            <legend>Percentage split</legend>
            <label for="percent-value">
              Percentage (0–100)
              <br />
              <input type="number" id="percent-value" name="value" min={0} max={100} step="any" required value={flag.percentage === null ? '' : String(flag.percentage.value)} />
            </label>
            <label for="percent-by">Bucket by</label>
            <select id="percent-by" name="by">
                <option value="user" selected={(flag.percentage?.by ?? 'user') === 'user'}>
                  user (each user on their own)
                </option>
                <option value="org" selected={flag.percentage?.by === 'org'}>
                  org (a whole org is in or out)
                </option>
            </select>
            <Reason id="percent-reason" />
            <button type="submit">Set percentage</button>
          </fieldset>
        </form>
      </section>

      <PlanSection ctx={ctx} flag={flag.flag} plan={props.plan} operatorWhy={operatorWhy} killed={killed !== null} outcomes={status.outcomes} />

      <section aria-labelledby="allowlist-title">
        <h2 id="allowlist-title">Allowlist</h2>
        <form method="get" action={envPath(ctx, `/flags/${encodeURIComponent(flag.flag)}`)} role="search">
          <label for="allowlist-search">
            Search the allowlist{' '}
            <input type="search" id="allowlist-search" name="q" value={props.query} />
          </label>{' '}
          <button type="submit">Search</button>
        </form>
        <form method="post" action={action('disallow')} id="allowlist" data-live>
          <Csrf ctx={ctx} />
          <fieldset disabled={operatorWhy !== null} aria-describedby={operatorWhy ? 'why-disabled' : undefined}>
            <legend>
              On the allowlist{query === '' ? '' : ` (matching “${props.query}”)`}: {users.length} of {flag.allowlist.users.length} users, {orgs.length} of {flag.allowlist.orgs.length} orgs
            </legend>
            <h3>Users</h3>
            {users.length === 0 ? <p class="muted">none</p> : null}
            <ul class="ids">
              {users.map((id, index) => (
                <li>
                  <label for={`user-${index}`}>
                    <input type="checkbox" id={`user-${index}`} name="user" value={id} /> <span class="id">{id}</span>
                  </label>
                </li>
              ))}
            </ul>
            <h3>Orgs</h3>
            {orgs.length === 0 ? <p class="muted">none</p> : null}
            <ul class="ids">
              {orgs.map((id, index) => (
                <li>
                  <label for={`org-${index}`}>
                    <input type="checkbox" id={`org-${index}`} name="org" value={id} /> <span class="id">{id}</span>
                  </label>
                </li>
              ))}
            </ul>
            <Reason id="disallow-reason" />
            <button type="submit">Remove the selected</button>
          </fieldset>
        </form>
        <form method="post" action={action('allow')}>
          <Csrf ctx={ctx} />
          <fieldset disabled={operatorWhy !== null} aria-describedby={operatorWhy ? 'why-disabled' : undefined}>
            <legend>Add to the allowlist (paste many IDs: one per line, or separated by commas)</legend>
            <label for="allow-users">
              User IDs
              <br />
              <textarea id="allow-users" name="users" rows={3}></textarea>
            </label>
            <label for="allow-orgs">
              Org IDs
              <br />
              <textarea id="allow-orgs" name="orgs" rows={2}></textarea>
            </label>
            <Reason id="allow-reason" />
            <button type="submit">Add to the allowlist</button>
          </fieldset>
        </form>
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title">History of {flag.flag}</h2>
        <p>
          <a href={envPath(ctx, `/history?flag=${encodeURIComponent(flag.flag)}`)}>Revisions and rollback</a>
        </p>
        <div id="flag-history" data-live>
          <Timeline entries={props.entries} showFlag={false} />
        </div>
      </section>
    </Layout>
  );
}
