// A Hono Worker gated by flagstage whose backend is Cloudflare's Flagship, through its OpenFeature
// server provider over the `env.FLAGS` binding. Sessions: a fixed table of bearer tokens (the app's
// own authentication); the identity comes only from it.
import { FlagshipServerProvider } from '@cloudflare/flagship/server';
import { Hono } from 'hono';
import type { Flagstage } from 'flagstage';
import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
import { createVendorFlagstage, openFeatureBackend } from 'flagstage/openfeature';
import { manifest, requireGastown, withFeature } from '../../flags.gen';
import { explain } from 'flagstage/explain';

interface Env {
  FLAGS: ConstructorParameters<typeof FlagshipServerProvider>[0] extends infer O ? (O extends { binding: infer B } ? B : never) : never;
}

const sessions: Record<string, { id: string; orgId: string | null; admin: boolean }> = {
  'sess-u1': { id: 'u1', orgId: null, admin: false },
  'sess-u2': { id: 'u2', orgId: 'acme', admin: false },
  'sess-u3': { id: 'u3', orgId: 'other', admin: false },
  'sess-boss': { id: 'boss', orgId: null, admin: true },
};

const errors: string[] = [];
let flags: Flagstage<typeof manifest> | undefined;
const flagsFor = (env: Env) =>
  (flags ??= createVendorFlagstage({
    manifest,
    logChanges: false,
    vendor: openFeatureBackend(new FlagshipServerProvider({ binding: env.FLAGS }), { timeoutMs: 200, onError: (error) => errors.push(`${error.code}: ${error.message}`) }),
  }));

type AppEnv = { Bindings: Env; Variables: { user: { id: string; orgId: string | null; admin: boolean } | null } & FlagstageVariables };
const app = new Hono<AppEnv>();
app.use(async (c, next) => {
  const token = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
  c.set('user', sessions[token] ?? null);
  await next();
});
app.use(async (c, next) => flagstage<AppEnv>(flagsFor(c.env), { identity: (c) => (c.var.user ? { userId: c.var.user.id, orgId: c.var.user.orgId, isAdmin: c.var.user.admin } : null) })(c, next));
app.get('/api/towns', requireFlag(requireGastown), (c) => c.json({ towns: ['bedrock'], reason: c.var.flagDecision.reason }));
app.get('/api/convoys', requireFlag(withFeature('convoys')), (c) => c.json({ convoys: [], reason: c.var.flagDecision.reason }));
app.get('/api/me/flags', async (c) => c.json(await c.var.flagstage.snapshot()));
app.get('/api/explain/:flag', async (c) => {
  const user = c.var.user!;
  return c.json(await explain(flagsFor(c.env), c.req.param('flag') as 'gastown', { userId: user.id, orgId: user.orgId, isAdmin: user.admin }));
});
app.get('/errors', (c) => c.json(errors.splice(0)));

export default app;
