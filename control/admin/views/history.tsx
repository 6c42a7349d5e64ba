/** @jsxImportSource hono/jsx */
import type { AuditEntry, HistoryPage, Status } from '../backend';
import { Banner, Csrf, Disabled, envPath, Layout, Reason, whyDisabled, type PageContext } from './layout';
import { ProblemBanner, type PageProblem } from './problem';
import { Timeline } from './timeline';

export interface HistoryProps {
  readonly ctx: PageContext;
  readonly status: Status;
  /** Revisions, newest first. */
  readonly revisions: HistoryPage['revisions'];
  /** Audit entries, newest first. */
  readonly entries: readonly AuditEntry[];
  readonly flag: string | null;
  readonly error?: PageProblem | undefined;
  readonly saved?: number | undefined;
}

/** The timeline overall or of one flag (who, when, why, before/after), and rollback to a revision. */
export function HistoryView(props: HistoryProps) {
  const { ctx } = props;
  const ownerWhy = whyDisabled(ctx, 'owner');
  return (
    <Layout ctx={ctx} title="History">
      <h1>History{props.flag === null ? '' : ` of ${props.flag}`}</h1>
      <ProblemBanner problem={props.error} />
      {props.saved !== undefined ? <Banner kind="saved">Rolled back: revision {props.saved} restores the earlier state (the history is kept).</Banner> : null}
      <form method="get" action={envPath(ctx, '/history')}>
        <label for="history-flag">Show</label>{' '}
        <select id="history-flag" name="flag">
            <option value="" selected={props.flag === null}>
              every flag
            </option>
            {props.status.flags.map((flag) => (
              <option value={flag.flag} selected={props.flag === flag.flag}>
                {flag.flag}
              </option>
            ))}
        </select>{' '}
        <button type="submit">Filter</button>
      </form>

      <section aria-labelledby="rollback-title">
        <h2 id="rollback-title">Roll back</h2>
        <p class="muted">A rollback makes a new revision equal to an earlier one; the history is never rewritten.</p>
        <Disabled id="why-rollback-disabled" why={ownerWhy} />
        <form method="post" action={envPath(ctx, '/rollback')}>
          <Csrf ctx={ctx} />
          <fieldset disabled={ownerWhy !== null} aria-describedby={ownerWhy ? 'why-rollback-disabled' : undefined}>
            <legend>Restore a revision (owner)</legend>
            <label for="rollback-revision">Revision</label>
            <select id="rollback-revision" name="revision" required>
                {props.revisions
                  .filter((revision) => revision.revision !== props.status.revision)
                  .map((revision) => (
                    <option value={String(revision.revision)}>
                      {`${revision.revision}: ${revision.command} by ${revision.actor} at ${revision.at}`}
                    </option>
                  ))}
            </select>
            <Reason id="rollback-reason" />
            <button type="submit">Review rollback</button>
          </fieldset>
        </form>
      </section>

      <div id="history" data-live>
        <section aria-labelledby="audit-title">
          <h2 id="audit-title">Changes (newest first)</h2>
          <Timeline entries={props.entries} showFlag={true} flagHref={(flag) => envPath(ctx, `/flags/${encodeURIComponent(flag)}`)} />
        </section>
        <section aria-labelledby="revisions-title">
          <h2 id="revisions-title">Revisions (newest first)</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Revision</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {props.revisions.map((revision) => (
                <tr>
                  <td>{revision.revision}</td>
                  <td>
                    <time datetime={revision.at}>{revision.at}</time>
                  </td>
                  <td class="id">{revision.actor}</td>
                  <td>
                    {revision.command}
                    {revision.restoredFrom !== null ? ` (restores revision ${revision.restoredFrom})` : ''}
                    {revision.flags.length > 0 ? `: ${revision.flags.join(', ')}` : ''}
                  </td>
                  <td>{revision.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </Layout>
  );
}
