/** @jsxImportSource hono/jsx */
import { Banner, Csrf, Layout, Reason, type PageContext } from './layout';

export interface ConfirmProps {
  readonly ctx: PageContext;
  readonly title: string;
  /** What the change does, spelled out. */
  readonly effect: readonly string[];
  /** Where the confirmed form goes. */
  readonly action: string;
  /** The fields of the first form, carried over unchanged. */
  readonly fields: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly confirmLabel: string;
  readonly danger: boolean;
  readonly cancelHref: string;
  /** Why the person is asked again (the state changed meanwhile). */
  readonly notice?: string | undefined;
}

/** The one confirmation before a change that takes something away or moves a stage: the effect, then the button. */
export function Confirm(props: ConfirmProps) {
  const { ctx } = props;
  return (
    <Layout ctx={{ ...ctx, revision: null }} title={props.title}>
      <h1>{props.title}</h1>
      {props.notice ? <Banner kind="info">{props.notice}</Banner> : null}
      <section aria-labelledby="effect-title">
        <h2 id="effect-title">What this does</h2>
        <ul data-testid="effect">
          {props.effect.map((line) => (
            <li>{line}</li>
          ))}
        </ul>
      </section>
      <form method="post" action={props.action}>
        <Csrf ctx={ctx} />
        {Object.entries(props.fields).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="confirm" value="yes" />
        <Reason id="confirm-reason" value={props.reason} />
        <button type="submit" class={props.danger ? 'danger' : 'primary'}>
          {props.confirmLabel}
        </button>{' '}
        <a href={props.cancelHref}>Cancel</a>
      </form>
    </Layout>
  );
}
