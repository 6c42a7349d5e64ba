/** @jsxImportSource hono/jsx */
import type { ExplainResult } from '../backend';
import { flagTree } from './overview';
import { Banner, envPath, Layout, type PageContext } from './layout';
import type { Status } from '../backend';

/** The trace fields the page shows (the API's explanation is the runtime's `Explanation`). */
interface Trace {
  readonly steps?: readonly { readonly rule: string; readonly outcome: string; readonly detail: string }[];
  readonly segment?: string | null;
  readonly killedBy?: string | null;
  readonly bucket?: { readonly value: number; readonly threshold: number; readonly by: string; readonly inside: boolean } | null;
}

export interface ExplainProps {
  readonly ctx: PageContext;
  readonly status: Status;
  readonly identity: { readonly userId: string; readonly orgId: string; readonly isAdmin: boolean } | null;
  readonly results: Readonly<Record<string, ExplainResult>>;
  readonly error?: string | undefined;
}

/** Enter a user, org and admin flag; see the decision for every flag and the trace behind it. */
export function ExplainPage(props: ExplainProps) {
  const { ctx, identity } = props;
  return (
    <Layout ctx={{ ...ctx, revision: null }} title="Explain">
      <h1>Explain a decision</h1>
      <form method="get" action={envPath(ctx, '/explain')}>
        <fieldset>
          <legend>The identity (as the app's session would give it)</legend>
          <label for="explain-user">
            User ID
            <br />
            <input type="text" id="explain-user" name="user" required maxlength={1000} value={identity?.userId ?? ''} />
          </label>
          <label for="explain-org">
            Org ID (optional)
            <br />
            <input type="text" id="explain-org" name="org" maxlength={1000} value={identity?.orgId ?? ''} />
          </label>
          <label for="explain-admin">
            <input type="checkbox" id="explain-admin" name="admin" value="on" checked={identity?.isAdmin === true} /> is an admin
          </label>
          <button type="submit" class="primary">
            Explain
          </button>
        </fieldset>
      </form>
      {props.error ? <Banner kind="error">{props.error}</Banner> : null}
      {identity === null ? null : (
        <section aria-labelledby="decisions-title">
          <h2 id="decisions-title">
            Decisions for <span class="id">{identity.userId}</span>
            {identity.orgId === '' ? '' : ` in org ${identity.orgId}`}
            {identity.isAdmin ? ' (admin)' : ''}
          </h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Decision</th>
                <th scope="col">Why (every rule, in order)</th>
              </tr>
            </thead>
            <tbody>
              {flagTree(props.status.flags).map(({ flag, depth }) => {
                const result = props.results[flag.flag];
                const decision = result?.decisions[0];
                const trace = (result?.explanation ?? {}) as Trace;
                return (
                  <tr class={depth > 0 ? 'child' : undefined} data-flag={flag.flag}>
                    <th scope="row">{flag.flag}</th>
                    <td data-testid="decision">
                      {decision ? (
                        <>
                          <span class={decision.allowed ? 'ok' : 'killed'}>{decision.allowed ? 'allowed' : 'denied'}</span> ({decision.reason})
                          <div class="muted">stage {decision.stage}</div>
                        </>
                      ) : (
                        'unavailable'
                      )}
                    </td>
                    <td>
                      <ol>
                        {(trace.steps ?? []).map((step) => (
                          <li>
                            <strong>{step.rule}</strong>: {step.outcome} — {step.detail}
                          </li>
                        ))}
                      </ol>
                      {trace.bucket ? (
                        <div>
                          Bucket {trace.bucket.value.toFixed(2)} by {trace.bucket.by} against {trace.bucket.threshold}%: {trace.bucket.inside ? 'inside' : 'outside'} the split
                        </div>
                      ) : null}
                      {trace.segment ? <div>Matched segment: <code>{trace.segment}</code></div> : null}
                      {trace.killedBy ? <div class="killed">Kill-switch on: {trace.killedBy}</div> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </Layout>
  );
}
