// The Worker of bench/gate-overhead.ts: one Hono app, one route served two ways, ungated and behind
// `flagstage()` + `requireFlag`, so the only difference between the two is the gate; and the same pair
// under an app-wide `flagstage()` (/app/*), where the only difference is `requireFlag`. The document is Flagsmith's
// format, served by an in-memory origin (the `fetch` option): after the first request it is fresh in
// the isolate's memory, as on a warm Worker. Imports the package as an app does (esbuild resolves
// `flagstage` through tsconfig paths).
import { Hono, type ExecutionContext, type MiddlewareHandler } from 'hono';
import { createFlagstage, flagsmithSource, type Identity } from 'flagstage';
import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
import { manifest, requireGastown } from '../../flags.gen';

interface Env {
  /** The environment document (JSON). */
  readonly DOCUMENT: string;
  /** The numbers n of the users `user-n` the rollout lets in, comma-separated (the bench picks them). */
  readonly ALLOWED_USERS: string;
}

type AppEnv = { Bindings: Env; Variables: { user: Identity | null } & FlagstageVariables };

function createApp(env: Env): Hono<AppEnv> {
  const source = flagsmithSource({
    apiUrl: 'https://flagsmith.bench/api/v1/',
    environmentKey: 'ser.bench',
    ttlMs: 3_600_000,
    maxStaleMs: 7_200_000,
    timeoutMs: 5_000,
    fetch: async () => new Response(env.DOCUMENT, { headers: { 'content-type': 'application/json' } }),
  });
  const flags = createFlagstage({ manifest, source, logChanges: false });
  const app = new Hono<AppEnv>();
  // The app's own auth, the same on both routes (a stand-in: the bench sends the user id).
  const auth: MiddlewareHandler<AppEnv> = async (c, next) => {
    const userId = c.req.header('x-user');
    c.set('user', userId ? { userId, orgId: 'org-1', isAdmin: false } : null);
    await next();
  };
  const towns = (c: { json: (value: unknown) => Response }) => c.json({ towns: [{ id: 'town-1', name: 'Gastown' }] });
  app.get('/ungated/towns', auth, towns);
  app.get('/gated/towns', auth, flagstage<AppEnv>(flags, { identity: (c) => c.get('user') }), requireFlag(requireGastown), towns);
  // The README's layout: flagstage() mounted app-wide after the auth, so an ungated route pays the
  // setup too and `requireFlag` is the only difference between these two.
  app.use('/app/*', auth, flagstage<AppEnv>(flags, { identity: (c) => c.get('user') }));
  app.get('/app/ungated/towns', towns);
  app.get('/app/gated/towns', requireFlag(requireGastown), towns);
  return app;
}

let app: Hono<AppEnv> | undefined;
let allowed: number[] | undefined;
let users = 0;

/** `/loop/<route>?n=N`: N requests to the route through app.fetch inside this one request. */
async function loop(app: Hono<AppEnv>, request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  // `<route>` is `ungated`, `gated`, `app/ungated` or `app/gated`.
  const target = new URL(`/${url.pathname.slice('/loop/'.length)}/towns`, url);
  const n = Number(url.searchParams.get('n') ?? '1000');
  allowed ??= env.ALLOWED_USERS.split(',').map(Number);
  for (let i = 0; i < n; i++) {
    // A new string per request, as a header's value is, from a number: a user the rollout lets in.
    // Taken from the list's end, while the bench's HTTP requests take it from the start, so no id
    // comes twice in this isolate (~190k here, ~21k over HTTP, 250k in the list).
    const response = await app.fetch(new Request(target, { headers: { 'x-user': `user-${allowed[allowed.length - 1 - (users++ % allowed.length)]}` } }), env, ctx);
    if (response.status !== 200) return new Response(`status ${response.status}`, { status: 500 });
    await response.arrayBuffer();
  }
  return new Response('ok');
}

export default {
  // Not async, and no URL parsed for a measured request: it pays for what an app's Worker does
  // (`export default app`), nothing more.
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    app ??= createApp(env);
    // The in-isolate loops (so the bench can weigh the app's own CPU per request without the HTTP
    // plumbing around each) are told apart by a string search.
    if (request.url.includes('/loop/')) return loop(app, request, env, ctx);
    return app.fetch(request, env, ctx);
  },
};
