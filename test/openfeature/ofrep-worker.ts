// A Hono Worker serving OFREP both ways, without nodejs_compat (the OFREP handlers import nothing
// from the OpenFeature SDK): server-key mode at /ofrep/…, session mode behind the app's own cookie
// session at /app/ofrep/…, plus the page and script the browser test loads.
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { createFlagstage, staticSource, type Flagstage, type Identity } from 'flagstage';
import { ofrep, ofrepServer } from 'flagstage/openfeature';
import { manifest } from '../../flags.gen';

interface Env {
  DOCUMENT: string;
  OFREP_KEY: string;
  CLIENT_JS: string;
}

// The app's sessions: cookie value -> identity (issued at sign-in; here a fixed table).
const SESSIONS: Record<string, Identity> = {
  'sess-u1': { userId: 'u1', orgId: null, isAdmin: false },
  'sess-u2': { userId: 'u2', orgId: 'acme', isAdmin: false },
  'sess-u3': { userId: 'u3', orgId: null, isAdmin: false },
};

let flags: Flagstage<typeof manifest> | undefined;
const flagsFor = (env: Env) => (flags ??= createFlagstage({ manifest, source: staticSource(JSON.parse(env.DOCUMENT)), logChanges: false }));
const statuses: number[] = [];

type AppEnv = { Bindings: Env; Variables: { user: Identity | null } };
const app = new Hono<AppEnv>();

app.post('/ofrep/*', (c) => ofrepServer(flagsFor(c.env), { keys: [c.env.OFREP_KEY] })(c.req.raw, c.executionCtx));

const session = new Hono<AppEnv>();
session.use(async (c, next) => {
  c.set('user', SESSIONS[getCookie(c, 'session') ?? ''] ?? null);
  await next();
});
session.post('/ofrep/*', async (c, next) => {
  await next();
  statuses.push(c.res.status);
});
session.post('/ofrep/v1/evaluate/flags', (c) => ofrep<AppEnv>(flagsFor(c.env), { identity: (c) => c.var.user })(c, async () => undefined));
session.post('/ofrep/v1/evaluate/flags/:key', (c) => ofrep<AppEnv>(flagsFor(c.env), { identity: (c) => c.var.user })(c, async () => undefined));
app.route('/app', session);

app.get('/', (c) => c.html('<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>ofrep</title></head><body><script type="module" src="/client.js"></script></body></html>'));
app.get('/client.js', (c) => c.body(c.env.CLIENT_JS, 200, { 'content-type': 'text/javascript' }));
app.get('/statuses', (c) => c.json(statuses.splice(0)));

export default app;
