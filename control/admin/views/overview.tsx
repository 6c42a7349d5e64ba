/** @jsxImportSource hono/jsx */
import type { FlagStatus, Status } from '../backend';
import { audience, blockedByParent, count, killState } from '../effects';
import { envPath, Layout, type PageContext } from './layout';

/** Flags in tree order: each parent followed by its sub-flags, with their depth. */
export function flagTree(flags: readonly FlagStatus[]): { readonly flag: FlagStatus; readonly depth: number }[] {
  const out: { flag: FlagStatus; depth: number }[] = [];
  const known = new Set(flags.map((flag) => flag.flag));
  const visit = (parent: string | null, depth: number) => {
    for (const flag of flags) {
      const effectiveParent = flag.parent !== null && known.has(flag.parent) ? flag.parent : null;
      if (effectiveParent === parent) {
        out.push({ flag, depth });
        visit(flag.flag, depth + 1);
      }
    }
  };
  visit(null, 0);
  return out;
}

/** Every flag as a tree: stage, kill state, allowlist sizes, percentage, last change; and the revision. */
export function Overview(props: { readonly ctx: PageContext; readonly status: Status }) {
  const { ctx, status } = props;
  return (
    <Layout ctx={ctx} title="Overview">
      <h1>Flags in {status.environment}</h1>
      <div id="overview" data-live>
        <p>
          Revision <strong data-testid="revision">{status.revision}</strong>, updated <time datetime={status.updatedAt}>{status.updatedAt}</time>.
        </p>
        <table>
          <caption class="muted">Sub-flags are indented under their parent; a sub-flag is allowed only where its parent is.</caption>
          <thead>
            <tr>
              <th scope="col">Flag</th>
              <th scope="col">Stage</th>
              <th scope="col">Kill-switch</th>
              <th scope="col">Allowlist</th>
              <th scope="col">Percentage</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {flagTree(status.flags).map(({ flag, depth }) => {
              const killed = killState(flag);
              const blocked = flag.stage !== 'admin-only' ? blockedByParent(flag, status.flags) : null;
              return (
                <tr id={`flag-${flag.flag}`} class={depth > 0 ? 'child' : undefined} data-flag={flag.flag}>
                  <th scope="row">
                    {depth > 0 ? <span aria-hidden="true">{'↳ '.repeat(depth)}</span> : null}
                    <a href={envPath(ctx, `/flags/${encodeURIComponent(flag.flag)}`)}>{flag.flag}</a>
                    {flag.parent !== null ? <span class="muted"> (sub-flag of {flag.parent})</span> : null}
                  </th>
                  <td data-testid="stage">
                    {flag.stage}
                    <div class="muted">{audience(flag)}</div>
                    {blocked ? <div class="note">Changes nothing yet: {flag.parent} is admin-only.</div> : null}
                  </td>
                  <td data-testid="kill">{killed ? <span class="killed">{flag.killed ? 'killed' : `killed (inherited from ${flag.killedBy})`}</span> : <span>off</span>}</td>
                  <td>
                    {count(flag.allowlist.users.length, 'user')}, {count(flag.allowlist.orgs.length, 'org')}
                  </td>
                  <td>{flag.percentage === null ? <span class="muted">none</span> : `${flag.percentage.value}% by ${flag.percentage.by}`}</td>
                  <td>
                    {flag.lastChange === null ? (
                      <span class="muted">never changed</span>
                    ) : (
                      <>
                        {flag.lastChange.command} by <span class="id">{flag.lastChange.actor}</span>,{' '}
                        <time datetime={flag.lastChange.at}>{flag.lastChange.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time>
                        <div>
                          <q>{flag.lastChange.reason}</q> (revision {flag.lastChange.revision})
                        </div>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {status.webhooks.length > 0 ? (
          <section aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">Webhook deliveries</h2>
            <ul>
              {status.webhooks.map((hook) => (
                <li>
                  <span class="id">{hook.url}</span>: revision {hook.revision} {hook.state}
                  {hook.lastError ? ` (${hook.lastError})` : ''}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </Layout>
  );
}
