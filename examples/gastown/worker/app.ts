import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { FlagKey, Identity } from 'flagstage';
import { grantVerifier, issueGrant } from 'flagstage/grants';
import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
import { webhook } from 'flagstage/hono/webhook';
import { manifest, requireGastown, withFeature } from '@/flags.gen';
import type { ApiError, Dispatch, Town } from '../shared/api';
import { identityOf } from '../shared/session';
import { sessionAuth, type AuthVariables } from './auth';
import type { Env } from './env';
import { createWorkerFlags } from './flags';
import { readBody, strategyBody, nameBody, beadsBody, formulaBody } from './bodies';
import { Store } from './store';

type AppEnv = { Bindings: Env; Variables: AuthVariables & FlagstageVariables };

/** How long a container may keep calling back after dispatch, even through a kill-switch. */
const GRANT_TTL_SECONDS = 60 * 60;

/**
 * The Gastown worker API. Every route that reads or starts work decides live through flagstage;
 * the agent callback route serves work already running, so it accepts the grant the container was
 * dispatched with instead (continuing mode): a kill-switch stops new work, not work in flight.
 */
export function createApp(env: Env): Hono<AppEnv> {
  const { flags, source } = createWorkerFlags(env);
  const store = new Store();
  const app = new Hono<AppEnv>();

  app.get('/health', async (c) => {
    const document = await source.current(c.executionCtx);
    return c.json({ ok: true, revision: document?.revision ?? null });
  });

  // Flagsmith (here the control plane, `flagstage serve`) signs its calls; it has no session, so this sits before auth.
  app.post('/webhooks/flagsmith', webhook(flags, { secret: env.FLAGSMITH_WEBHOOK_SECRET }));

  app.use('*', sessionAuth());
  app.use(
    '*',
    flagstage<AppEnv>(flags, {
      // c.get, not c.var: Hono builds a new c.var object on every read, and this runs on every request.
      identity: (c) => { const user = c.get('user'); return user === null ? null : identityOf(user); },
      grants: { verify: grantVerifier({ secrets: { [env.GRANT_KID]: env.GRANT_SECRET } }) },
    }),
  );

  const api = new Hono<AppEnv>();
  api.use('/towns', requireFlag(requireGastown));
  api.use('/towns/*', requireFlag(requireGastown));

  api.get('/towns', (c) => c.json(store.townsOf(signedIn(c).userId)));

  api.post('/towns', async (c) => {
    const body = await readBody(c, nameBody);
    if (!body.ok) return body.response;
    return c.json(store.createTown(body.value.name, signedIn(c).userId), 201);
  });

  api.get('/towns/:id', (c) => {
    const town = store.town(c.req.param('id'), signedIn(c).userId);
    return town === null ? notFound(c) : c.json(town);
  });

  // A town's first rig is part of Gastown; a second one is the multiRig feature.
  const isSecondRig = (c: Context<AppEnv>) => townOf(c, store).rigs.length >= 1;
  api.post('/towns/:id/rigs', withTown(store), gateWhen(isSecondRig, requireFlag(withFeature('multiRig'))), async (c) => {
    const body = await readBody(c, nameBody);
    if (!body.ok) return body.response;
    // The gate above saw the town before the body was read: a concurrent request may have added the
    // first rig since. Decide first, then check and add with no await in between.
    const multiRig = await c.var.flagstage.decide('multiRig');
    const town = townOf(c, store);
    if (town.rigs.length >= 1 && multiRig?.allowed !== true) {
      const denied: ApiError = { error: 'flagstage.forbidden', flag: 'multiRig' };
      return c.json(denied, 403);
    }
    return c.json(store.addRig(town, body.value.name), 201);
  });

  // `direct` is everyone's; `pr` only where prMerge is allowed.
  const wantsPr = async (c: Context<AppEnv>) => {
    const body = await readBody(c, strategyBody);
    return body.ok && body.value.strategy === 'pr';
  };
  api.put('/towns/:id/merge-strategy', withTown(store), gateWhen(wantsPr, requireFlag(withFeature('prMerge'))), async (c) => {
    const body = await readBody(c, strategyBody);
    if (!body.ok) return body.response;
    return c.json(store.setMergeStrategy(townOf(c, store), body.value.strategy));
  });

  api.post('/towns/:id/convoys', requireFlag(withFeature('convoys')), withTown(store), async (c) => {
    const body = await readBody(c, beadsBody);
    if (!body.ok) return body.response;
    return c.json(store.slingBatch(townOf(c, store), body.value.beads), 201);
  });

  api.post('/towns/:id/molecules', requireFlag(withFeature('molecules')), withTown(store), async (c) => {
    const body = await readBody(c, formulaBody);
    if (!body.ok) return body.response;
    return c.json(store.createMolecule(townOf(c, store), body.value.formula), 201);
  });

  // New work: the live gastown decision above let the owner in; the container gets a grant naming
  // every flag allowed right now, which its callbacks present later.
  api.post('/towns/:id/containers', withTown(store), async (c) => {
    const identity = signedIn(c);
    const snapshot = await c.var.flagstage.snapshot();
    const allowed = (Object.keys(manifest.flags) as FlagKey[]).filter((flag) => snapshot.flags[flag]);
    const grant = await issueGrant(identity, allowed, {
      secret: env.GRANT_SECRET,
      kid: env.GRANT_KID,
      ttlSeconds: GRANT_TTL_SECONDS,
      revision: c.var.flagDecision.revision,
    });
    const dispatch: Dispatch = { container: store.dispatchContainer(townOf(c, store)), grant };
    return c.json(dispatch, 201);
  });

  // Work in flight: the container's grant, not a live decision. Without a grant it is a live decision.
  api.post('/containers/:id/callbacks', requireFlag(requireGastown, { continuing: true }), (c) => {
    const container = store.container(c.req.param('id'));
    const owner = c.var.flagGrant?.sub ?? c.var.flagstage.identity?.userId;
    if (container === null || container.ownerId !== owner) return notFound(c);
    return c.json(store.recordCallback(container));
  });

  app.route('/api', api);
  app.onError((error, c) => {
    console.error(error);
    const body: ApiError = { error: 'internal' };
    return c.json(body, 500);
  });
  return app;
}

/** The identity on a gated route: the gate already answered 401 when there was none. */
function signedIn(c: Context<AppEnv>): Identity {
  const identity = c.var.flagstage.identity;
  if (identity === null) throw new Error('gastown: a gated route ran without an identity');
  return identity;
}

const towns = new WeakMap<Context, Town>();

/** Loads the signed-in user's town named by `:id`, or answers 404. */
function withTown(store: Store): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const town = store.town(c.req.param('id') ?? '', signedIn(c).userId);
    if (town === null) return notFound(c);
    towns.set(c, town);
    await next();
  };
}

function townOf(c: Context<AppEnv>, store: Store): Town {
  const town = towns.get(c);
  if (town === undefined) throw new Error('gastown: townOf() needs withTown() before it');
  // Re-read: an earlier middleware may have changed it.
  return store.town(town.id, town.ownerId) ?? town;
}

/** Applies a gate only when the request calls for it (a second rig, the `pr` strategy). */
function gateWhen(condition: (c: Context<AppEnv>) => boolean | Promise<boolean>, gate: MiddlewareHandler): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (await condition(c)) return gate(c, next);
    await next();
  };
}

function notFound(c: Context<AppEnv>): Response {
  const body: ApiError = { error: 'not-found' };
  return c.json(body, 404);
}
