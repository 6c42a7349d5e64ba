import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
import { webhook } from 'flagstage/hono/webhook';
import type { Identity } from 'flagstage';
import { signWebhookBody } from 'flagstage/webhook';
import { grantVerifier, issueGrant } from 'flagstage/grants';
import { requireGastown, withFeature } from '../../flags.gen';
import { aliceOnly, contextsOf, everyone, flagsFor, killed, users, type Rollout } from './support';

const SECRET = 'k'.repeat(32);
const OTHER_SECRET = 'x'.repeat(32);
const WEBHOOK_SECRET = 'flagsmith-webhook-secret';

// The app's own auth: a session table keyed by an opaque cookie. flagstage never reads identity
// from the request itself.
const sessions: Record<string, Identity> = { 'sess-admin': users.admin, 'sess-alice': users.alice, 'sess-bob': users.bob };

type AppEnv = { Variables: { user: Identity | null; agentGrant: string | null } & FlagstageVariables };

function appFor(rollout: Rollout) {
  const flags = flagsFor(rollout);
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    const cookie = c.req.header('cookie')?.match(/session=([\w-]+)/)?.[1];
    c.set('user', (cookie && sessions[cookie]) || null);
    await next();
  });
  app.use(
    flagstage<AppEnv>(flags, {
      identity: (c) => c.var.user,
      grants: { verify: grantVerifier({ secrets: { k1: SECRET } }) },
    }),
  );
  app.get('/api/towns', requireFlag(requireGastown), (c) => c.json({ ok: true, reason: c.var.flagDecision.reason }));
  app.post('/api/convoys', requireFlag(requireGastown), requireFlag(withFeature('convoys')), (c) => c.json({ flag: c.var.flagDecision.flag }));
  app.post('/api/agents/callback', requireFlag(requireGastown, { continuing: true }), (c) =>
    c.json({ via: c.var.flagGrant ? 'grant' : 'decision', sub: c.var.flagGrant?.sub ?? null }),
  );
  app.post('/webhooks/flagsmith', webhook(flags, { secret: WEBHOOK_SECRET }));
  app.get('/api/me/flags', async (c) => c.json(await c.var.flagstage.snapshot()));
  return { app, flags };
}

const as = (session?: string, headers: Record<string, string> = {}) => ({ headers: { ...(session ? { cookie: `session=${session}` } : {}), ...headers } });

describe('flagstage/hono in workerd', () => {
  it('lets an allowed identity through and puts the decision on c.var', async () => {
    const { app } = appFor(aliceOnly);
    const res = await app.request('/api/towns', as('sess-alice'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, reason: 'allowlist' });
    const admin = await app.request('/api/towns', as('sess-admin'));
    expect(await admin.json()).toEqual({ ok: true, reason: 'admin' });
  });

  it('answers 403 with a stable body and nothing else when denied', async () => {
    const { app } = appFor(aliceOnly);
    const res = await app.request('/api/towns', as('sess-bob', { 'x-user-id': users.admin.userId }));
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe('{"error":"flagstage.forbidden","flag":"gastown"}');
  });

  it('answers 401 when the app established no identity', async () => {
    const { app } = appFor(everyone);
    const res = await app.request('/api/towns');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'flagstage.unauthenticated', flag: 'gastown' });
  });

  it('denies a killed flag to everyone but admins', async () => {
    const { app } = appFor(killed(aliceOnly));
    const alice = await app.request('/api/towns', as('sess-alice'));
    expect(alice.status).toBe(403);
    expect(await alice.json()).toEqual({ error: 'flagstage.forbidden', flag: 'gastown' });
    expect((await app.request('/api/towns', as('sess-admin'))).status).toBe(200);
  });

  it('checks every gate on a route, sub-flags included', async () => {
    const { app } = appFor(aliceOnly);
    const res = await app.request('/api/convoys', { method: 'POST', ...as('sess-alice') });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ flag: 'convoys' });
  });

  describe('continuing', () => {
    const callback = (grant: string | null, session?: string) =>
      ({ method: 'POST', ...as(session, grant ? { 'x-flagstage-grant': grant } : {}) });

    it('accepts a valid grant after the kill-switch', async () => {
      const grant = await issueGrant(users.alice, ['gastown'], { secret: SECRET, kid: 'k1', ttlSeconds: 300 });
      const { app } = appFor(killed(aliceOnly));
      expect((await app.request('/api/towns', as('sess-alice'))).status).toBe(403);
      const res = await app.request('/api/agents/callback', callback(grant));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ via: 'grant', sub: users.alice.userId });
      expect((await app.request('/api/agents/callback', callback(grant, 'sess-alice'))).status).toBe(200);
    });

    it('refuses an expired grant with its code', async () => {
      const grant = await issueGrant(users.alice, ['gastown'], { secret: SECRET, kid: 'k1', ttlSeconds: 60, now: () => Date.now() - 3_600_000 });
      const { app } = appFor(aliceOnly);
      const res = await app.request('/api/agents/callback', callback(grant, 'sess-alice'));
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'flagstage.grant-expired', flag: 'gastown' });
    });

    it('refuses a forged grant, one for another flag and one for another user', async () => {
      const { app } = appFor(everyone);
      const forged = await issueGrant(users.bob, ['gastown'], { secret: OTHER_SECRET, kid: 'k1', ttlSeconds: 300 });
      const res = await app.request('/api/agents/callback', callback(forged));
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'flagstage.grant-bad-signature', flag: 'gastown' });
      const tampered = forged.replace(/\.[\w-]+\./, `.${btoa('{"sub":"u-admin"}').replace(/=+$/, '')}.`);
      expect(await (await app.request('/api/agents/callback', callback(tampered))).json()).toMatchObject({ error: expect.stringMatching(/^flagstage\.grant-(bad-signature|malformed)$/) });
      const unknownKid = await issueGrant(users.alice, ['gastown'], { secret: SECRET, kid: 'k0', ttlSeconds: 300 });
      expect(await (await app.request('/api/agents/callback', callback(unknownKid))).json()).toEqual({ error: 'flagstage.grant-unknown-kid', flag: 'gastown' });
      const otherFlag = await issueGrant(users.alice, ['convoys'], { secret: SECRET, kid: 'k1', ttlSeconds: 300 });
      expect(await (await app.request('/api/agents/callback', callback(otherFlag))).json()).toEqual({ error: 'flagstage.grant-wrong-flag', flag: 'gastown' });
      const alices = await issueGrant(users.alice, ['gastown'], { secret: SECRET, kid: 'k1', ttlSeconds: 300 });
      const asBob = await app.request('/api/agents/callback', callback(alices, 'sess-bob'));
      expect(await asBob.json()).toEqual({ error: 'flagstage.grant-wrong-identity', flag: 'gastown' });
    });

    it('decides live when no grant is presented', async () => {
      const { app } = appFor(aliceOnly);
      expect(await (await app.request('/api/agents/callback', callback(null, 'sess-alice'))).json()).toEqual({ via: 'decision', sub: null });
      expect((await app.request('/api/agents/callback', callback(null, 'sess-bob'))).status).toBe(403);
      expect((await app.request('/api/agents/callback', callback(null))).status).toBe(401);
    });

    it('takes the grant from an app-supplied extractor (a claim in the app token)', async () => {
      const flags = flagsFor(killed(aliceOnly));
      const grant = await issueGrant(users.alice, ['gastown'], { secret: SECRET, kid: 'k1', ttlSeconds: 300 });
      // The app's own agent token, already verified by its auth middleware, carries the grant as a claim.
      const agentTokens: Record<string, { grant: string }> = { 'agent-1': { grant } };
      const app = new Hono<AppEnv>();
      app.use(async (c, next) => {
        const token = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
        c.set('agentGrant', agentTokens[token]?.grant ?? null);
        await next();
      });
      app.use(flagstage<AppEnv>(flags, { identity: () => null, grants: { verify: grantVerifier({ secrets: () => ({ k1: SECRET }) }), token: (c) => c.var.agentGrant } }));
      app.post('/callback', requireFlag(requireGastown, { continuing: true }), (c) => c.text(c.var.flagGrant.sub));
      const ok = await app.request('/callback', { method: 'POST', headers: { authorization: 'Bearer agent-1' } });
      expect(await ok.text()).toBe(users.alice.userId);
      // The header is not consulted when the app supplies its own extractor.
      const viaHeader = await app.request('/callback', { method: 'POST', headers: { 'x-flagstage-grant': grant } });
      expect(viaHeader.status).toBe(401);
    });

    it("needs grants from grantVerifier: without them (or with a bare function) a continuing route is a setup error naming the fix", async () => {
      const grant = await issueGrant(users.alice, ['gastown'], { secret: SECRET, kid: 'k1', ttlSeconds: 300 });
      for (const grants of [undefined, { verify: async () => ({ ok: false as const, error: 'malformed' as const }) }]) {
        const app = new Hono<AppEnv>();
        app.use(flagstage<AppEnv>(flagsFor(aliceOnly), { identity: () => users.alice, grants }));
        app.post('/callback', requireFlag(requireGastown, { continuing: true }), (c) => c.text('in'));
        app.onError((error, c) => c.text(`${(error as { code?: string }).code}: ${error.message}`, 500));
        for (const headers of [{}, { 'x-flagstage-grant': grant }] as Record<string, string>[]) {
          const res = await app.request('/callback', { method: 'POST', headers });
          expect(res.status).toBe(500);
          expect(await res.text()).toBe(
            "missing-setup: flagstage: requireFlag(gate, { continuing: true }) needs flagstage(flags, { identity, grants: { verify: grantVerifier({ secrets }) } }) (grantVerifier from 'flagstage/grants')",
          );
        }
      }
    });
  });

  it('serves the snapshot from c.var, all false without an identity', async () => {
    const { app } = appFor(aliceOnly);
    const alice = (await (await app.request('/api/me/flags', as('sess-alice'))).json()) as { flags: Record<string, boolean> };
    expect(alice.flags.gastown).toBe(true);
    const bob = (await (await app.request('/api/me/flags', as('sess-bob'))).json()) as { flags: Record<string, boolean> };
    expect(bob.flags.gastown).toBe(false);
    const nobody = await (await app.request('/api/me/flags')).json();
    expect(nobody).toEqual({ revision: null, flags: { gastown: false, convoys: false, prMerge: false, multiRig: false, molecules: false } });
  });

  it('refreshes through executionCtx.waitUntil, and works without an executionCtx', async () => {
    const { app, flags } = appFor(aliceOnly);
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p), passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    expect((await app.request('/api/towns', as('sess-alice'), {}, ctx)).status).toBe(200);
    const context = contextsOf(flags).at(-1);
    expect(context).toBeDefined();
    context!.waitUntil(Promise.resolve('refresh'));
    expect(waited).toHaveLength(1);
    expect((await app.request('/api/towns', as('sess-alice'))).status).toBe(200);
    expect(contextsOf(flags).at(-1)).toBeUndefined();
  });

  it('mounts the Flagsmith webhook: a signed call refreshes, anything else is refused', async () => {
    const { app } = appFor(aliceOnly);
    const body = JSON.stringify({ event_type: 'FLAG_UPDATED', data: { changed_by: 'cli' } });
    const signed = await app.request('/webhooks/flagsmith', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-flagsmith-signature': await signWebhookBody(WEBHOOK_SECRET, body) },
    });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toMatchObject({ code: 'refreshed', revision: expect.any(String) });
    const forged = await app.request('/webhooks/flagsmith', {
      method: 'POST',
      body,
      headers: { 'x-flagsmith-signature': await signWebhookBody('not-the-secret', body) },
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'invalid-signature' });
    expect((await app.request('/webhooks/flagsmith', { method: 'POST', body })).status).toBe(401);
  });

  it('fails loudly when requireFlag runs without flagstage()', async () => {
    const app = new Hono();
    app.get('/x', requireFlag(requireGastown), (c) => c.text('no'));
    app.onError((error, c) => c.text(error.message, 500));
    const res = await app.request('/x');
    expect(await res.text()).toBe('flagstage: requireFlag("gastown") needs app.use(flagstage(flags, { identity })) to run before it');
    expect(() => requireFlag({ flag: 'gastown' } as never)).toThrow(/^flagstage: requireFlag\(\) takes a gate/);
  });

  it('onDenied answers a denial its own way; the default JSON is the same everywhere', async () => {
    const flags = flagsFor(aliceOnly);
    const seen: unknown[] = [];
    const app = new Hono<AppEnv>();
    app.use(async (c, next) => {
      const cookie = c.req.header('cookie')?.match(/session=([\w-]+)/)?.[1];
      c.set('user', (cookie && sessions[cookie]) || null);
      await next();
    });
    app.use(flagstage<AppEnv>(flags, { identity: (c) => c.var.user, onDenied: (denial) => (seen.push(denial), Response.json({ app: denial.code }, { status: denial.status })) }));
    app.get('/page', requireFlag(requireGastown, { onDenied: (denial, request) => Response.redirect(new URL(denial.status === 401 ? '/login' : '/', request.url).href, 302) }), (c) => c.text('ok'));
    app.get('/api', requireFlag(requireGastown), (c) => c.text('ok'));
    const page = await app.request('/page', as('sess-bob'));
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('http://localhost/');
    expect((await app.request('/page')).headers.get('location')).toBe('http://localhost/login');
    const api = await app.request('/api', as('sess-bob'));
    expect(api.status).toBe(403);
    expect(await api.json()).toEqual({ app: 'flagstage.forbidden' });
    expect(seen).toEqual([{ status: 403, code: 'flagstage.forbidden', flag: 'gastown', reason: 'not-enabled' }]);
    expect((await app.request('/api', as('sess-alice'))).status).toBe(200);
  });
});
