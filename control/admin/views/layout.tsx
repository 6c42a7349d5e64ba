/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { allows, type Role } from '../../auth/roles';
import { LIVE_SCRIPT } from '../live-script';

/** What every page knows about the request: who is signed in, where, and the tokens its forms carry. */
export interface PageContext {
  readonly environment: string;
  readonly environments: readonly string[];
  readonly actor: string;
  readonly role: Role;
  /** The CSRF token every form carries. */
  readonly csrf: string;
  /** The CSP nonce of this response (the live-update script and the stylesheet). */
  readonly nonce: string;
  /** The revision the page shows; the live script polls for a newer one. Null: no live updates. */
  readonly revision: number | null;
  /** The admin page's root path (`/admin`). */
  readonly base: string;
}

/** The path of an environment's page. */
export function envPath(ctx: Pick<PageContext, 'base' | 'environment'>, rest = ''): string {
  return `${ctx.base}/${encodeURIComponent(ctx.environment)}${rest}`;
}

/** Whether the signed-in person may do what `needed` allows. */
export function can(ctx: PageContext, needed: Role): boolean {
  return allows(ctx.role, needed);
}

/** Why a control is disabled, in words, or null when it is not. */
export function whyDisabled(ctx: PageContext, needed: Role): string | null {
  if (can(ctx, needed)) return null;
  if (ctx.role === 'viewer') return `You are signed in as ${ctx.actor}, a viewer: viewers see everything and change nothing. Changing flags needs the ${needed} role.`;
  return `You are signed in as ${ctx.actor}, an ${ctx.role}: this needs the ${needed} role.`;
}

const STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4a5360; --line: #c9d1d9; --accent: #0b57d0; --bad: #a4161a; --good: #1a7f37; --warn: #8a4b00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
header.top { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: #f6f8fa; }
header.top nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
main { padding: 1rem 1.2rem 3rem; max-width: 72rem; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
.child td:first-child { padding-left: 2rem; }
.killed { color: var(--bad); font-weight: 600; }
.ok { color: var(--good); font-weight: 600; }
.note { color: var(--warn); }
.muted { color: var(--muted); }
.banner { padding: .6rem .8rem; border: 1px solid var(--line); border-left: 4px solid var(--accent); margin: .8rem 0; background: #f6f8fa; }
.banner.error { border-left-color: var(--bad); }
.banner.saved { border-left-color: var(--good); }
section { margin: 1.4rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; }
dt { font-weight: 600; }
dd { margin: 0; }
fieldset { border: 1px solid var(--line); padding: .6rem .9rem; margin: .6rem 0; }
label { display: block; margin: .3rem 0; }
input[type=text], input[type=number], textarea, select { font: inherit; padding: .3rem .4rem; border: 1px solid #6e7781; border-radius: 4px; }
textarea { width: 100%; max-width: 40rem; }
button { font: inherit; padding: .35rem .9rem; border: 1px solid #6e7781; border-radius: 4px; background: #eef2f6; color: var(--ink); cursor: pointer; }
button.danger { background: var(--bad); color: #fff; border-color: var(--bad); }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button:disabled { cursor: not-allowed; opacity: .6; }
ul.ids { columns: 2; max-width: 40rem; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline > li { border-bottom: 1px solid var(--line); padding: .5rem 0; }
code, .id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: .5rem; background: #fff; padding: .3rem; z-index: 1; }
`;

/**
 * The page shell: header with the environment, the signed-in person and navigation, then the page.
 * The only scripts are the nonce'd live-update script; everything works without it.
 */
export function Layout(props: { readonly ctx: PageContext; readonly title: string; readonly children?: Child }) {
  const { ctx } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${ctx.environment} · flagstage admin`}</title>
        {ctx.revision === null ? null : <meta name="flagstage-live" content={envPath(ctx, '/live')} data-revision={String(ctx.revision)} />}
        <style nonce={ctx.nonce}>{raw(STYLE)}</style>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <strong>flagstage admin · {ctx.environment}</strong>
          <nav aria-label="Admin">
            <ul>
              <li>
                <a href={envPath(ctx)}>Overview</a>
              </li>
              <li>
                <a href={envPath(ctx, '/explain')}>Explain</a>
              </li>
              <li>
                <a href={envPath(ctx, '/history')}>History</a>
              </li>
              {ctx.environments
                .filter((name) => name !== ctx.environment)
                .map((name) => (
                  <li>
                    <a href={`${ctx.base}/${encodeURIComponent(name)}`}>{name}</a>
                  </li>
                ))}
            </ul>
          </nav>
          <form method="post" action={`${ctx.base}/sign-out`}>
            <span>
              Signed in as <span class="id">{ctx.actor}</span> ({ctx.role}){' '}
            </span>
            <input type="hidden" name="csrf" value={ctx.csrf} />
            <button type="submit">Sign out</button>
          </form>
        </header>
        <main id="main">
          <p id="live-status" class="muted" role="status" aria-live="polite"></p>
          {props.children}
        </main>
        {ctx.revision === null ? null : <script nonce={ctx.nonce}>{raw(LIVE_SCRIPT)}</script>}
      </body>
    </html>
  );
}

/** A page outside an environment (sign-in problems, signed out): no navigation, no forms. */
export function Bare(props: { readonly title: string; readonly nonce: string; readonly children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · flagstage admin`}</title>
        <style nonce={props.nonce}>{raw(STYLE)}</style>
      </head>
      <body>
        <main id="main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** The CSRF field every form carries. */
export function Csrf(props: { readonly ctx: PageContext }) {
  return <input type="hidden" name="csrf" value={props.ctx.csrf} />;
}

/** A reason field: every change needs one (it goes to the audit log). */
export function Reason(props: { readonly id: string; readonly value?: string; readonly label?: string }) {
  return (
    <label for={props.id}>
      {props.label ?? 'Reason (goes to the audit log)'}
      <br />
      <input type="text" id={props.id} name="reason" required maxlength={2000} size={60} value={props.value ?? ''} />
    </label>
  );
}

/** The note that says why the controls after it are disabled. */
export function Disabled(props: { readonly id: string; readonly why: string | null }) {
  return props.why === null ? null : (
    <p id={props.id} class="note">
      {props.why}
    </p>
  );
}

/** A problem or confirmation banner. */
export function Banner(props: { readonly kind: 'error' | 'saved' | 'info'; readonly children?: Child }) {
  return (
    <div class={`banner ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
