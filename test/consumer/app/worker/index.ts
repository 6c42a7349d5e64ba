// A Worker on the installed flagstage + flagstage/hono (+ flagstage/grants for the continuing
// route, flagstage/hono/webhook, flagstage/explain, flagstage/errors and flagstage/kv off the gate
// path), deployed without nodejs_compat.
import { Hono } from 'hono';
import { flagsmithSource } from 'flagstage';
import { ERROR_CODES } from 'flagstage/errors';
import { explain } from 'flagstage/explain';
import { kvCache, type KVLike } from 'flagstage/kv';
import { grantVerifier } from 'flagstage/grants';
import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
import { webhook } from 'flagstage/hono/webhook';
import { requireReports, withFeature } from '../flags.gen';
import { currentIdentity, flags } from '../lib/flags';

type AppEnv = { Bindings: { GRANT_SECRET: string; FLAGSMITH_WEBHOOK_SECRET: string }; Variables: { userId: string | undefined } & FlagstageVariables };

const app = new Hono<AppEnv>();
app.use('/api/*', async (c, next) => {
  c.set('userId', c.req.header('x-demo-user')); // stands in for the app's own verified session
  await next();
});
app.use(
  '/api/*',
  flagstage<AppEnv>(flags, {
    identity: (c) => currentIdentity(c.var.userId),
    // The secrets come from the Worker's env, read per request: the verifier's context is Hono's Context.
    grants: { verify: grantVerifier({ secrets: (c) => ({ k1: c.env.GRANT_SECRET }) }) },
  }),
);
app.get('/api/reports', requireFlag(requireReports), (c) => c.json({ ok: true }));
app.post('/api/reports/export', requireFlag(withFeature('exportCsv')), (c) => c.json({ ok: true }));
app.post('/api/reports/callback', requireFlag(requireReports, { continuing: true }), (c) => c.json({ sub: c.var.flagGrant?.sub ?? null }));
app.get('/api/flags', async (c) => c.json(await c.var.flagstage.snapshot()));
app.get('/api/explain/reports', async (c) => {
  const identity = currentIdentity(c.var.userId);
  return identity ? c.json(await explain(flags, 'reports', identity)) : c.json({ error: 'unauthenticated' }, 401);
});
// A Flagsmith source with the KV layer, as a Worker with a KV binding builds it
// (constructed only: this app decides on its static document).
const noKv: KVLike = { getWithMetadata: async () => ({ value: null, metadata: null }), put: async () => undefined };
app.get('/api/source', (c) => {
  const source = flagsmithSource({ apiUrl: 'https://edge.api.flagsmith.com/api/v1/', environmentKey: 'ser.consumer', cache: kvCache(noKv) });
  return c.json({ ok: typeof source.current === 'function', codes: ERROR_CODES.length });
});
app.post('/webhooks/flagsmith', (c, next) => webhook(flags, { secret: c.env.FLAGSMITH_WEBHOOK_SECRET })(c, next));

export default app;
