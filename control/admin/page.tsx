/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { Manifest } from '../../runtime/manifest/types';
import type { AuthFailure } from '../auth/authenticate';
import { allows, type Caller, type Role } from '../auth/roles';
import { ControlError } from '../errors';
import { STAGES } from '../../runtime/stages/index';
import { apiBackend, type AdminBackend, type AuditEntry, type ChangeRequest, type FlagStatus, type PlanRequest, type Rollout, type HistoryPage, type Status } from './backend';
import { audience, percentEffect, stageEffect } from './effects';
import { csrfToken, redeemSignInCode, verifyCsrfToken, verifySession, type SessionOptions } from './session';
import { Confirm } from './views/confirm';
import { ExplainPage } from './views/explain';
import { FlagPage } from './views/flag';
import { HistoryView } from './views/history';
import { Bare, envPath, type PageContext } from './views/layout';
import { Overview } from './views/overview';
import type { PageProblem } from './views/problem';

/** What the admin page needs from the control plane it is mounted on (`ControlPlaneHandle` has it). */
export interface AdminHost<E> {
  environments(env: E): readonly string[];
  document(env: E, environment: string): Promise<{ readonly revision: number } | null>;
  authenticate(env: E, request: Request): Promise<Caller | { readonly failure: AuthFailure }>;
  sessions(env: E): SessionOptions | null;
  manifest(env: E): Manifest;
}

export interface AdminPageOptions {
  /** Where the page lives. Default `/admin`. */
  readonly base?: string;
  /** The largest form accepted (an allowlist paste). Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

const COOKIE = 'flagstage_admin';
type Stage = Rollout['stage'];

/** The signed-in person: who, their role, the credential the API gets, and what their CSRF tokens are bound to. */
interface SignedIn {
  readonly actor: string;
  readonly role: Role;
  readonly credentials: Readonly<Record<string, string>>;
  readonly subject: string;
}

type Form = Record<string, string | File | (string | File)[]>;

/**
 * The web admin page at `/admin`: an overview of every flag as a tree, a page per flag (stage with
 * its effect spelled out, allowlist, percentage, kill/revive), explain, history with rollback.
 * Server-rendered (Hono JSX), plain forms (POST, then a 303), a small nonce'd script for live
 * updates. It has no write path of its own: every read and change goes through the admin API with
 * the signed-in person's credential, so roles, validation and the audit log are the API's.
 *
 * Sign-in is Cloudflare Access (the `Cf-Access-Jwt-Assertion` the API verifies) or a one-time link
 * (`auth.sessions.signInLinks`, printed by `flagstage serve`) that sets an HttpOnly, SameSite=Strict
 * session cookie. Every form carries a CSRF token bound to the session.
 *
 * @example
 * ```ts
 * const plane = createControlPlane<Env>({ manifest, environments, auth: (env) => ({ tokens, sessions: { secret: env.ADMIN_SESSION_SECRET } }) });
 * plane.mount(adminPage());
 * ```
 */
export function adminPage<E extends object>(options: AdminPageOptions = {}) {
  const base = (options.base ?? '/admin').replace(/\/+$/, '');
  if (!/^\/[A-Za-z0-9/_-]*$/.test(base)) throw new Error(`flagstage: adminPage({ base: "${base}" }): use a path like /admin`);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  return (app: Hono<{ Bindings: E }>, host: AdminHost<E>): void => {
    const page = new Hono<{ Bindings: E }>();
    page.onError((error, c) => {
      const known = error instanceof ControlError ? error : null;
      const status = known?.status ?? 500;
      return page500(c, status === 500 ? 'Something failed' : 'Refused', known ? known.problem : 'The admin page failed; nothing was changed.', status);
    });
    page.use('*', bodyLimit({ maxSize: maxBodyBytes, onError: (c) => say(c, 'Too large', `The form is larger than ${maxBodyBytes} bytes; nothing was changed. Add fewer IDs at once.`, 413) }));

    const sessionsOf = (env: E): SessionOptions => {
      const sessions = host.sessions(env);
      if (!sessions) throw new ControlError('internal', 'The admin page needs auth.sessions.secret (it signs the session cookies and CSRF tokens); see the README.');
      return sessions;
    };

    const signedIn = async (c: Context<{ Bindings: E }>): Promise<SignedIn | null> => {
      const sessions = sessionsOf(c.env);
      const assertion = c.req.header('cf-access-jwt-assertion');
      if (assertion) {
        const caller = await host.authenticate(c.env, new Request(c.req.url, { headers: { 'cf-access-jwt-assertion': assertion } }));
        if ('failure' in caller) return null;
        return { actor: caller.actor, role: caller.role, credentials: { 'cf-access-jwt-assertion': assertion }, subject: `access:${caller.actor}` };
      }
      const cookie = getCookie(c, COOKIE);
      if (!cookie) return null;
      const session = await verifySession(sessions, cookie, Date.now());
      if (!session) return null;
      return { actor: session.actor, role: session.role, credentials: { authorization: `Bearer ${cookie}` }, subject: `session:${session.nonce}` };
    };

    const notSignedIn = (c: Context<{ Bindings: E }>) =>
      say(c, 'Sign in', 'You are not signed in. Sign in through Cloudflare Access, or open the one-time sign-in link that `flagstage serve` printed.', 401);

    const backendFor = (c: Context<{ Bindings: E }>, who: SignedIn, environment: string): AdminBackend =>
      apiBackend({ fetch: async (request) => app.fetch(request, c.env), environment, credentials: who.credentials });

    /** The environment named in the path, the signed-in person and the page's context; or the answer to give instead. */
    const enter = async (c: Context<{ Bindings: E }>): Promise<{ who: SignedIn; ctx: PageContext; backend: AdminBackend } | Response> => {
      const environment = c.req.param('environment') ?? '';
      const environments = host.environments(c.env);
      if (!environments.includes(environment)) return say(c, 'Not found', `There is no environment "${environment}".`, 404);
      const who = await signedIn(c);
      if (!who) return notSignedIn(c);
      const csrf = await csrfToken(sessionsOf(c.env), who.subject);
      return { who, ctx: { environment, environments, actor: who.actor, role: who.role, csrf, nonce: nonce(), revision: null, base }, backend: backendFor(c, who, environment) };
    };

    /** A POST's form, after the CSRF and role checks; or the refusal to answer instead (nothing changes). */
    const enterForm = async (c: Context<{ Bindings: E }>, needed: Role) => {
      const entered = await enter(c);
      if (entered instanceof Response) return entered;
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== new URL(c.req.url).origin) {
        return say(c, 'Refused', 'This form was sent from another site; nothing was changed.', 403);
      }
      const form = (await c.req.parseBody({ all: true })) as Form;
      if (!(await verifyCsrfToken(sessionsOf(c.env), entered.who.subject, field(form, 'csrf')))) {
        return say(c, 'Refused', 'This form has no valid CSRF token (it is stale, or it did not come from this page); nothing was changed. Go back, reload the page and try again.', 403);
      }
      if (!allows(entered.who.role, needed)) {
        return say(c, 'Refused', `You are signed in as ${entered.who.actor}, a ${entered.who.role}: this needs the ${needed} role. Nothing was changed.`, 403);
      }
      return { ...entered, form };
    };

    const home = (c: Context<{ Bindings: E }>) => {
      const first = host.environments(c.env)[0];
      if (first === undefined) return say(c, 'No environments', 'This control plane serves no environment.', 404);
      return c.redirect(`${base}/${encodeURIComponent(first)}`, 303);
    };
    page.get('/', home);

    page.get('/sign-in', async (c) => {
      const sessions = sessionsOf(c.env);
      const credential = await redeemSignInCode(sessions, c.req.query('code') ?? '', Date.now());
      if (credential === null) return say(c, 'Sign-in link not valid', 'This sign-in link is unknown, already used or expired. Ask for a new one (restarting `flagstage serve` prints one).', 401);
      setCookie(c, COOKIE, credential, {
        path: base,
        httpOnly: true,
        sameSite: 'Strict',
        secure: new URL(c.req.url).protocol === 'https:',
        maxAge: Math.floor((sessions.maxAgeMs ?? 12 * 60 * 60 * 1000) / 1000),
      });
      return home(c);
    });

    page.post('/sign-out', async (c) => {
      const who = await signedIn(c);
      const form = (await c.req.parseBody({ all: true })) as Form;
      if (who && !(await verifyCsrfToken(sessionsOf(c.env), who.subject, field(form, 'csrf')))) {
        return say(c, 'Refused', 'This form has no valid CSRF token; you are still signed in.', 403);
      }
      deleteCookie(c, COOKIE, { path: base });
      return say(c, 'Signed out', 'You are signed out. Close this tab, or sign in again.', 200);
    });

    page.get('/:environment/live', async (c) => {
      const environment = c.req.param('environment');
      if (!host.environments(c.env).includes(environment)) return c.json({ error: 'not-found' }, 404);
      if (!(await signedIn(c))) return c.json({ error: 'unauthenticated' }, 401);
      const document = await host.document(c.env, environment);
      if (!document) return c.json({ error: 'not-found' }, 404);
      const etag = `"${document.revision}"`;
      const headers = { ETag: etag, 'Cache-Control': 'no-store' };
      if ((c.req.header('if-none-match') ?? '').split(',').map((tag) => tag.trim()).includes(etag)) return c.body(null, 304, headers);
      return c.json({ revision: document.revision }, 200, headers);
    });

    page.get('/:environment', async (c) => {
      const entered = await enter(c);
      if (entered instanceof Response) return entered;
      const status = await entered.backend.status();
      return html(c, entered.ctx.nonce, <Overview ctx={{ ...entered.ctx, revision: status.revision }} status={status} />);
    });

    const renderFlag = async (
      c: Context<{ Bindings: E }>,
      entered: { ctx: PageContext; backend: AdminBackend },
      flagKey: string,
      extra: { error?: PageProblem; savedId?: number } = {},
      statusCode: 200 | 400 | 403 | 404 = 200,
    ) => {
      const status = await entered.backend.status();
      const flag = status.flags.find((candidate) => candidate.flag === flagKey);
      if (!flag) return say(c, 'Not found', `There is no flag "${flagKey}" in this manifest.`, 404);
      const [entries, plan] = await Promise.all([allAudit(entered.backend, flag.flag), entered.backend.plan(flag.flag)]);
      return html(
        c,
        entered.ctx.nonce,
        <FlagPage
          ctx={{ ...entered.ctx, revision: status.revision }}
          status={status}
          flag={flag}
          entries={entries}
          plan={plan}
          killSwitchOf={killSwitchOf(host.manifest(c.env), flag.flag)}
          query={c.req.query('q') ?? ''}
          error={extra.error}
          saved={extra.savedId === undefined ? undefined : entries.find((entry) => entry.id === extra.savedId)}
        />,
        statusCode,
      );
    };

    page.get('/:environment/flags/:flag', async (c) => {
      const entered = await enter(c);
      if (entered instanceof Response) return entered;
      const saved = Number(c.req.query('saved'));
      return renderFlag(c, entered, c.req.param('flag'), Number.isInteger(saved) && saved > 0 ? { savedId: saved } : {});
    });

    page.post('/:environment/flags/:flag/plan/:verb', async (c) => {
      const entered = await enterForm(c, 'operator');
      if (entered instanceof Response) return entered;
      const { ctx, backend, form } = entered;
      const flagKey = c.req.param('flag');
      const verb = c.req.param('verb');
      const status = await backend.status();
      const flag = status.flags.find((candidate) => candidate.flag === flagKey);
      if (!flag) return say(c, 'Not found', `There is no flag "${flagKey}" in this manifest.`, 404);
      if (verb !== 'create' && verb !== 'pause' && verb !== 'resume' && verb !== 'cancel') return say(c, 'Not found', `There is no plan action "${verb}".`, 404);
      const problem = (text: string, fix?: string) => renderFlag(c, entered, flag.flag, { error: { message: text, ...(fix ? { fix } : {}) } }, 400);
      const reason = field(form, 'reason').trim();
      if (reason === '') return problem('every plan action needs a reason', 'say why in the reason field (it goes to the audit log)');
      try {
        let result;
        if (verb === 'create') {
          const request = planRequest(form);
          if ('problem' in request) return problem(request.problem, request.fix);
          result = await backend.createPlan(flag.flag, request, reason);
        } else {
          result = await backend.planAction(flag.flag, verb, reason);
        }
        const flagHref = envPath(ctx, `/flags/${encodeURIComponent(flag.flag)}`);
        return c.redirect(result.audit ? `${flagHref}?saved=${result.audit.id}#plan` : `${flagHref}#plan`, 303);
      } catch (error) {
        if (error instanceof ControlError && (error.code === 'bad-request' || error.code === 'not-found')) return problem(error.problem, error.fix);
        throw error;
      }
    });

    page.post('/:environment/flags/:flag/:action', async (c) => {
      const entered = await enterForm(c, 'operator');
      if (entered instanceof Response) return entered;
      const { ctx, backend, form } = entered;
      const flagKey = c.req.param('flag');
      const action = c.req.param('action');
      const status = await backend.status();
      const flag = status.flags.find((candidate) => candidate.flag === flagKey);
      if (!flag) return say(c, 'Not found', `There is no flag "${flagKey}" in this manifest.`, 404);
      const reason = field(form, 'reason').trim();
      const confirmed = field(form, 'confirm') === 'yes';
      const problem = (text: string, fix?: string) => renderFlag(c, entered, flag.flag, { error: { message: text, ...(fix ? { fix } : {}) } }, 400);
      if (reason === '') return problem('every change needs a reason', 'say why in the reason field (it goes to the audit log)');
      const flagHref = envPath(ctx, `/flags/${encodeURIComponent(flag.flag)}`);
      const confirm = (title: string, effect: readonly string[], fields: Record<string, string>, label: string, danger: boolean, notice?: string) =>
        html(
          c,
          ctx.nonce,
          <Confirm
            ctx={ctx}
            title={title}
            effect={effect}
            action={envPath(ctx, `/flags/${encodeURIComponent(flag.flag)}/${action}`)}
            fields={{ ...fields, revision: String(status.revision) }}
            reason={reason}
            confirmLabel={label}
            danger={danger}
            cancelHref={flagHref}
            notice={notice}
          />,
        );
      const seen = Number(field(form, 'revision'));
      const ifMatch = Number.isInteger(seen) && seen > 0 ? seen : status.revision;

      let request: ChangeRequest;
      let confirmation: (() => Promise<Response>) | null = null;
      switch (action) {
        case 'stage': {
          const stage = field(form, 'stage') as Stage;
          if (!STAGES.includes(stage)) return problem('choose a stage', 'pick one of admin-only, allowlist, percentage, ga');
          request = { action: 'stage', stage, ...(stage !== 'admin-only' && flag.parent !== null ? { force: true } : {}) };
          confirmation = () => confirm(`Move ${flag.flag} to ${stage}?`, stageEffect(flag, stage, status.flags), { stage }, `Move ${flag.flag} to ${stage}`, stage === 'admin-only', staleNotice(seen, status.revision));
          break;
        }
        case 'percent': {
          const value = Number(field(form, 'value'));
          const by = field(form, 'by') === 'org' ? 'org' : 'user';
          if (field(form, 'value').trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) return problem('the percentage must be a number from 0 to 100');
          request = { action: 'percent', value, by };
          const effect = percentEffect(flag, value, by);
          if (effect.down) confirmation = () => confirm(`Ramp ${flag.flag} down to ${value}%?`, effect.lines, { value: String(value), by }, `Ramp down to ${value}%`, true, staleNotice(seen, status.revision));
          break;
        }
        case 'kill':
        case 'revive': {
          request = { action };
          const killing = action === 'kill';
          const subFlags = status.flags.filter((candidate) => candidate.parent === flag.flag).map((candidate) => candidate.flag);
          const effect = killing
            ? [
                `Everyone but admins loses ${flag.flag} for new access at once${subFlags.length > 0 ? `, and with it its sub-flags ${subFlags.join(', ')}` : ''}.`,
                'Work already in flight (holding a grant) continues.',
                `The stage is kept: reviving restores exactly ${audience(flag)}.`,
              ]
            : [`${flag.flag} is back at exactly ${audience(flag)}.`];
          confirmation = () => confirm(killing ? `Kill ${flag.flag}?` : `Revive ${flag.flag}?`, effect, {}, killing ? `Kill ${flag.flag} now` : `Revive ${flag.flag} now`, killing, staleNotice(seen, status.revision));
          break;
        }
        case 'allow':
        case 'disallow': {
          const users = action === 'allow' ? splitIds(field(form, 'users')) : fields(form, 'user');
          const orgs = action === 'allow' ? splitIds(field(form, 'orgs')) : fields(form, 'org');
          if (users.length + orgs.length === 0) return problem(action === 'allow' ? 'name at least one user or org to add' : 'select at least one user or org to remove');
          request = { action, users, orgs };
          break;
        }
        default:
          return say(c, 'Not found', `There is no change "${action}".`, 404);
      }
      if (confirmation && !confirmed) return confirmation();
      try {
        const needsMatch = action === 'stage' || action === 'percent' || action === 'kill' || action === 'revive';
        const result = await backend.change(flag.flag, request, reason, needsMatch ? ifMatch : undefined);
        return c.redirect(result.audit ? `${flagHref}?saved=${result.audit.id}` : flagHref, 303);
      } catch (error) {
        if (!(error instanceof ControlError)) throw error;
        if (error.code === 'conflict' && confirmation) {
          // Someone changed the environment since the effect was shown: show it again, as it is now.
          return confirmation();
        }
        if (error.code === 'bad-request' || error.code === 'conflict') return problem(error.problem, error.fix);
        throw error;
      }
    });

    page.get('/:environment/explain', async (c) => {
      const entered = await enter(c);
      if (entered instanceof Response) return entered;
      const status = await entered.backend.status();
      const userId = (c.req.query('user') ?? '').trim();
      if (userId === '') return html(c, entered.ctx.nonce, <ExplainPage ctx={entered.ctx} status={status} identity={null} results={{}} />);
      const identity = { userId, orgId: (c.req.query('org') ?? '').trim(), isAdmin: c.req.query('admin') === 'on' };
      const results: Record<string, Awaited<ReturnType<AdminBackend['explain']>>> = {};
      try {
        for (const flag of status.flags) results[flag.flag] = await entered.backend.explain(flag.flag, { userId, orgId: identity.orgId === '' ? null : identity.orgId, isAdmin: identity.isAdmin });
      } catch (error) {
        if (!(error instanceof ControlError) || error.code !== 'bad-request') throw error;
        return html(c, entered.ctx.nonce, <ExplainPage ctx={entered.ctx} status={status} identity={identity} results={{}} error={error.problem} />, 400);
      }
      return html(c, entered.ctx.nonce, <ExplainPage ctx={entered.ctx} status={status} identity={identity} results={results} />);
    });

    const renderHistory = async (c: Context<{ Bindings: E }>, entered: { ctx: PageContext; backend: AdminBackend }, extra: { error?: PageProblem; saved?: number } = {}, statusCode: 200 | 400 = 200) => {
      const status = await entered.backend.status();
      const requested = c.req.query('flag') ?? '';
      const flag = status.flags.some((candidate) => candidate.flag === requested) ? requested : null;
      const [revisions, entries] = await Promise.all([allHistory(entered.backend, flag), allAudit(entered.backend, flag)]);
      return html(
        c,
        entered.ctx.nonce,
        <HistoryView ctx={{ ...entered.ctx, revision: status.revision }} status={status} revisions={revisions} entries={entries} flag={flag} error={extra.error} saved={extra.saved} />,
        statusCode,
      );
    };

    page.get('/:environment/history', async (c) => {
      const entered = await enter(c);
      if (entered instanceof Response) return entered;
      const saved = Number(c.req.query('saved'));
      return renderHistory(c, entered, Number.isInteger(saved) && saved > 0 ? { saved } : {});
    });

    page.post('/:environment/rollback', async (c) => {
      const entered = await enterForm(c, 'owner');
      if (entered instanceof Response) return entered;
      const { ctx, backend, form } = entered;
      const revision = Number(field(form, 'revision'));
      const reason = field(form, 'reason').trim();
      if (!Number.isInteger(revision) || revision < 1) return renderHistory(c, entered, { error: { message: 'choose a revision to restore' } }, 400);
      if (reason === '') return renderHistory(c, entered, { error: { message: 'every change needs a reason', fix: 'say why in the reason field (it goes to the audit log)' } }, 400);
      if (field(form, 'confirm') !== 'yes') {
        const target = (await allHistory(backend, null)).find((item) => item.revision === revision);
        if (!target) return renderHistory(c, entered, { error: { message: `there is no revision ${revision}` } }, 400);
        return html(
          c,
          ctx.nonce,
          <Confirm
            ctx={ctx}
            title={`Roll back to revision ${revision}?`}
            effect={[
              `A new revision will equal revision ${revision} (${target.command} by ${target.actor} at ${target.at}${target.reason ? `: “${target.reason}”` : ''}).`,
              'Every flag’s stage, allowlist, percentage and kill-switch return to what they were then; each flag it changes gets its own audit entry.',
              'The history is kept: nothing is erased, and you can roll forward again the same way.',
            ]}
            action={envPath(ctx, '/rollback')}
            fields={{ revision: String(revision) }}
            reason={reason}
            confirmLabel={`Roll back to revision ${revision}`}
            danger={true}
            cancelHref={envPath(ctx, '/history')}
          />,
        );
      }
      try {
        const result = await backend.rollback(revision, reason);
        return c.redirect(envPath(ctx, `/history?saved=${result.revision}`), 303);
      } catch (error) {
        if (error instanceof ControlError && error.code === 'bad-request') return renderHistory(c, entered, { error: { message: error.problem, ...(error.fix ? { fix: error.fix } : {}) } }, 400);
        throw error;
      }
    });

    app.route(base, page);
    app.get(`${base}/`, home);
  };
}

/** The flag that holds a flag's kill-switch: itself, the nearest ancestor with one, or null. */
function killSwitchOf(manifest: Manifest, flag: string): string | null {
  let current: string | null = flag;
  while (current !== null) {
    const definition: Manifest['flags'][string] | undefined = manifest.flags[current];
    if (!definition) return null;
    if (definition.killSwitchFeature) return current;
    current = definition.parent;
  }
  return null;
}

function staleNotice(seen: number, current: number): string | undefined {
  return Number.isInteger(seen) && seen > 0 && seen !== current ? `The environment changed since you loaded the page (revision ${seen} → ${current}): this is the effect as it is now.` : undefined;
}

/** Every audit entry (of one flag), newest first. */
async function allAudit(backend: AdminBackend, flag: string | null): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const result = await backend.audit({ ...(flag === null ? {} : { flag }), ...(cursor === null ? {} : { cursor }), limit: 1000 });
    entries.push(...result.entries);
    cursor = result.next;
    if (cursor === null) break;
  }
  return entries.reverse();
}

/** Every revision (that changed one flag), newest first. */
async function allHistory(backend: AdminBackend, flag: string | null): Promise<HistoryPage['revisions']> {
  const revisions: HistoryPage['revisions'][number][] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const result = await backend.history({ ...(flag === null ? {} : { flag }), ...(cursor === null ? {} : { cursor }), limit: 1000 });
    revisions.push(...result.revisions);
    cursor = result.next;
    if (cursor === null) break;
  }
  return revisions.reverse();
}

/** The plan the create form asks for, or what is wrong with it (the API checks the rest, naming the field). */
function planRequest(form: Form): PlanRequest | { readonly problem: string; readonly fix: string } {
  const parts = field(form, 'steps').split(',').map((part) => part.trim().replace(/%$/, '')).filter((part) => part !== '');
  const steps = parts.map(Number);
  const bad = parts.find((part, i) => part === '' || !Number.isFinite(steps[i]));
  if (parts.length === 0 || bad !== undefined) return { problem: `steps: ${bad === undefined ? 'none given' : `"${bad}" is not a number`}`, fix: 'list increasing percentages separated by commas, e.g. 1,5,25,50,100' };
  const start = field(form, 'start').trim();
  const rate = field(form, 'guardErrorRate').trim().replace(/%$/, '');
  let guard: PlanRequest['guard'];
  if (rate !== '') {
    const errorRate = Number(rate) / 100;
    const minSamples = Number(field(form, 'guardMinSamples') || '200');
    if (!Number.isFinite(errorRate)) return { problem: `guard error rate: "${rate}" is not a number`, fix: 'give a percentage such as 2 (for 2%), or leave it empty for no guard' };
    if (!Number.isFinite(minSamples)) return { problem: 'guard samples: not a number', fix: 'give a whole number of outcomes, e.g. 200' };
    guard = { errorRate, minSamples, window: field(form, 'guardWindow').trim() || '10m' };
  }
  return {
    steps,
    every: field(form, 'every').trim(),
    ...(start === '' ? {} : { start }),
    ...(field(form, 'then') === 'ga' ? { then: 'ga' as const } : {}),
    ...(guard ? { guard } : {}),
  };
}

/** IDs pasted into a text area: one per line, or separated by commas (an ID cannot hold a comma; it may hold a space). */
export function splitIds(text: string): string[] {
  return [...new Set(text.split(/[\r\n,]+/).map((id) => id.trim()).filter((id) => id !== ''))];
}

function field(form: Form, name: string): string {
  const value = form[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

function fields(form: Form, name: string): string[] {
  const value = form[name];
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.filter((item): item is string => typeof item === 'string');
}

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

/** A page with one message (refusals, sign-in problems): no forms. */
function say(c: Context, title: string, text: string, status: 200 | 400 | 401 | 403 | 404 | 412 | 413 | 500 = 200): Promise<Response> {
  const value = nonce();
  return html(
    c,
    value,
    <Bare title={title} nonce={value}>
      <p>{text}</p>
    </Bare>,
    status,
  );
}

const page500 = say;

/**
 * Renders a page with the headers every admin answer carries: a strict CSP (scripts and styles only
 * with this response's nonce), no caching, no framing, no referrer to other sites (the sign-in code stays private; a stricter policy would make Chromium send `Origin: null` with the forms).
 */
async function html(c: Context, nonceValue: string, element: JSX.Element, status: 200 | 400 | 401 | 403 | 404 | 412 | 413 | 500 = 200): Promise<Response> {
  const text = `<!doctype html>${String(await element.toString())}`;
  return new Response(text, {
    status,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonceValue}'; style-src 'nonce-${nonceValue}'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
    },
  });
}

export type { FlagStatus, Status };
