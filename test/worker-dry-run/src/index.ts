// Gastown's worker API, as an app writes it: its own auth, then flagstage, then gated routes.
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { cachesApiCache, createFlagstage, flagsmithSource, type Identity } from 'flagstage';
import { grantVerifier, issueGrant } from 'flagstage/grants';
import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
import { webhook } from 'flagstage/hono/webhook';
import { manifest, requireGastown, withFeature } from '../../../flags.gen';

declare global {
  namespace Cloudflare {
    interface Env {
      FLAGSMITH_API_URL: string;
      FLAGSMITH_SERVER_KEY: string;
      FLAGSMITH_WEBHOOK_SECRET: string;
      GRANT_SECRET: string;
    }
  }
}

// Once per isolate: the document is compiled once and served from memory while fresh.
const flags = createFlagstage({
  manifest,
  source: flagsmithSource({
    apiUrl: env.FLAGSMITH_API_URL,
    environmentKey: env.FLAGSMITH_SERVER_KEY,
    ttlMs: 5_000,
    maxStaleMs: 60 * 60_000,
    timeoutMs: 2_000,
    cache: cachesApiCache(caches.default),
  }),
});

type AppEnv = { Variables: { user: Identity | null } & FlagstageVariables };
const app = new Hono<AppEnv>();

// The app's own auth (here a stand-in): it, not flagstage, decides who the caller is.
app.use('/api/*', async (c, next) => {
  c.set('user', await sessionUser(c.req.header('authorization')));
  await next();
});
app.use('/api/*', flagstage<AppEnv>(flags, { identity: (c) => c.var.user, grants: { verify: grantVerifier({ secrets: { current: env.GRANT_SECRET } }) } }));

app.post('/api/towns', requireFlag(requireGastown), async (c) => {
  const grant = await issueGrant(c.var.flagstage.identity!, ['gastown'], { secret: env.GRANT_SECRET, kid: 'current', ttlSeconds: 3600 });
  return c.json({ town: crypto.randomUUID(), grant }, 201);
});
app.post('/api/convoys', requireFlag(requireGastown), requireFlag(withFeature('convoys')), (c) => c.json({ ok: true }));
app.post('/api/agents/:id/callback', requireFlag(requireGastown, { continuing: true }), (c) => c.json({ ok: true }));
app.get('/api/me/flags', async (c) => c.json(await c.var.flagstage.snapshot()));
app.post('/webhooks/flagsmith', webhook(flags, { secret: env.FLAGSMITH_WEBHOOK_SECRET }));

async function sessionUser(authorization: string | undefined): Promise<Identity | null> {
  return authorization === undefined ? null : null;
}

export default app;
