import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { initTRPC, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { describe, expect, it } from 'vitest';
import { grantVerifier, issueGrant } from 'flagstage/grants';
import { DeniedError, FlagstageError, type Denial, type Identity, type WaitUntil } from 'flagstage';
import { signWebhookBody } from 'flagstage/webhook';
import { createRequireFlag, webhook } from 'flagstage/trpc';
import { requireGastown, withFeature } from '../../flags.gen';
import { aliceOnly, contextsOf, flagsFor, killed, users, type Rollout } from './support';

// The app's context: identity from its own session (an opaque cookie looked up server-side).
interface AppContext {
  readonly identity: Identity | null;
  readonly waitUntil?: WaitUntil;
}
const sessions: Record<string, Identity> = { 'sess-admin': users.admin, 'sess-alice': users.alice, 'sess-bob': users.bob };
const identityFrom = (req: Request): Identity | null => sessions[req.headers.get('cookie')?.match(/session=([\w-]+)/)?.[1] ?? ''] ?? null;

function workerFor(rollout: Rollout) {
  const flags = flagsFor(rollout);
  // isDev: false as in production: tRPC then never puts a stack in an error body.
  const t = initTRPC.context<AppContext>().create({ isDev: false });
  const requireFlag = createRequireFlag(flags, { identity: (ctx: AppContext) => ctx.identity, waitUntil: (ctx: AppContext) => ctx.waitUntil });
  const gastownProcedure = t.procedure.use(requireFlag(requireGastown));
  const router = t.router({
    towns: gastownProcedure.query(({ ctx }) => ({ towns: ['t1'], reason: ctx.flagDecision.reason })),
    slingBatch: gastownProcedure.use(requireFlag(withFeature('convoys'))).mutation(({ ctx }) => ({ flag: ctx.flagDecision.flag })),
  });
  const worker = {
    fetch: (req: Request, ctx?: WaitUntil) =>
      fetchRequestHandler({ endpoint: '/trpc', req, router, createContext: () => ({ identity: identityFrom(req), ...(ctx ? { waitUntil: ctx } : {}) }) }),
  };
  const client = (session?: string) =>
    createTRPCClient<typeof router>({
      links: [httpLink({ url: 'https://gastown.test/trpc', headers: session ? { cookie: `session=${session}` } : {}, fetch: (url, init) => worker.fetch(new Request(url, init as RequestInit)) })],
    });
  const caller = t.createCallerFactory(router);
  return { worker, client, caller, flags };
}

async function trpcError(promise: Promise<unknown>): Promise<TRPCClientError<never>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<never>;
    throw error;
  }
  throw new Error('expected a TRPCClientError');
}

describe('flagstage/trpc through the fetch adapter in workerd', () => {
  it('lets an allowed identity through with the decision in ctx', async () => {
    const { client } = workerFor(aliceOnly);
    expect(await client('sess-alice').towns.query()).toEqual({ towns: ['t1'], reason: 'allowlist' });
    expect(await client('sess-admin').slingBatch.mutate()).toEqual({ flag: 'convoys' });
  });

  it('throws FORBIDDEN with a stable message and no stack in the body', async () => {
    const { client, worker } = workerFor(aliceOnly);
    const error = await trpcError(client('sess-bob').towns.query());
    expect(error.message).toBe('flagstage: forbidden (gastown)');
    expect(error.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });

    const raw = await worker.fetch(new Request('https://gastown.test/trpc/towns', { headers: { cookie: 'session=sess-bob' } }));
    expect(raw.status).toBe(403);
    const text = await raw.text();
    expect(text).not.toMatch(/stack|at async|\.ts:\d|runtime\//);
    expect(JSON.parse(text)).toEqual({
      error: { message: 'flagstage: forbidden (gastown)', code: -32003, data: { code: 'FORBIDDEN', httpStatus: 403, path: 'towns' } },
    });
  });

  it('throws UNAUTHORIZED without an identity, and FORBIDDEN when killed', async () => {
    const { client } = workerFor(killed(aliceOnly));
    const anonymous = await trpcError(client().towns.query());
    expect(anonymous.message).toBe('flagstage: unauthenticated (gastown)');
    expect(anonymous.data).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    const alice = await trpcError(client('sess-alice').slingBatch.mutate());
    expect(alice.data).toMatchObject({ code: 'FORBIDDEN' });
    expect(await client('sess-admin').towns.query()).toEqual({ towns: ['t1'], reason: 'admin' });
  });

  it('hands the worker ctx to the source for background refreshes', async () => {
    const { worker, flags } = workerFor(aliceOnly);
    const waited: unknown[] = [];
    const ctx: WaitUntil = { waitUntil: (p) => void waited.push(p) };
    const res = await worker.fetch(new Request('https://gastown.test/trpc/towns', { headers: { cookie: 'session=sess-alice' } }), ctx);
    expect(res.status).toBe(200);
    expect(contextsOf(flags).at(-1)).toBe(ctx);
  });
});

describe('flagstage/trpc through createCaller', () => {
  it('decides for the caller context', async () => {
    const { caller } = workerFor(aliceOnly);
    expect(await caller({ identity: users.alice }).towns()).toEqual({ towns: ['t1'], reason: 'allowlist' });
    await expect(caller({ identity: users.bob }).towns()).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'flagstage: forbidden (gastown)' });
    await expect(caller({ identity: null }).slingBatch()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('flagstage/trpc: the shared gate', () => {
  const SECRET = 'k'.repeat(32);
  interface GrantContext {
    readonly identity: Identity | null;
    readonly grant: string | null;
  }

  function grantWorker(rollout: Rollout, onDenied?: (denial: Denial) => Error) {
    const flags = flagsFor(rollout);
    const t = initTRPC.context<GrantContext>().create({ isDev: false });
    const requireFlag = createRequireFlag(flags, {
      identity: (ctx: GrantContext) => ctx.identity,
      grants: { verify: grantVerifier({ secrets: { k1: SECRET } }), token: (ctx: GrantContext) => ctx.grant },
      ...(onDenied ? { onDenied } : {}),
    });
    const router = t.router({
      callback: t.procedure.use(requireFlag(requireGastown, { continuing: true })).mutation(({ ctx }) => ({
        via: ctx.flagGrant ? 'grant' : 'decision',
        sub: ctx.flagGrant?.sub ?? ctx.flagDecision?.flag ?? null,
      })),
      towns: t.procedure.use(requireFlag(requireGastown)).query(({ ctx }) => ctx.flagDecision.reason),
    });
    const hook = webhook(flags, { secret: 'flagsmith-webhook-secret' });
    const worker = {
      fetch: (req: Request) =>
        new URL(req.url).pathname === '/webhooks/flagsmith'
          ? hook(req)
          : fetchRequestHandler({ endpoint: '/trpc', req, router, createContext: () => ({ identity: identityFrom(req), grant: req.headers.get('x-flagstage-grant') }) }),
    };
    return { worker, caller: t.createCallerFactory(router) };
  }

  it('carries the denial in the TRPCError cause (a DeniedError), not in the body', async () => {
    const { caller, worker } = grantWorker(aliceOnly);
    const error = await caller({ identity: users.bob, grant: null })
      .towns()
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    const cause = (error as TRPCError).cause;
    expect(cause).toBeInstanceOf(DeniedError);
    expect(cause).toBeInstanceOf(FlagstageError);
    expect((cause as DeniedError).code).toBe('denied');
    expect((cause as DeniedError).denial).toEqual({ status: 403, code: 'flagstage.forbidden', flag: 'gastown', reason: 'not-enabled' });
    const anonymous = await caller({ identity: null, grant: null })
      .towns()
      .then(() => null, (e: TRPCError) => e.cause as DeniedError);
    expect(anonymous?.denial).toEqual({ status: 401, code: 'flagstage.unauthenticated', flag: 'gastown', reason: 'unauthenticated' });
    const raw = await worker.fetch(new Request('https://gastown.test/trpc/towns', { headers: { cookie: 'session=sess-bob' } }));
    expect(await raw.text()).not.toMatch(/not-enabled|denial|reason/);
  });

  it('continuing: a valid grant lets work in flight through a kill-switch; a bad one is refused with its reason', async () => {
    const { caller } = grantWorker(killed(aliceOnly));
    const grant = await issueGrant(users.alice, ['gastown'], { secret: SECRET, kid: 'k1', ttlSeconds: 300 });
    expect(await caller({ identity: users.alice, grant }).callback()).toEqual({ via: 'grant', sub: users.alice.userId });
    // Without a grant the live decision applies: killed.
    await expect(caller({ identity: users.alice, grant: null }).callback()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const forged = await issueGrant(users.alice, ['gastown'], { secret: 'x'.repeat(32), kid: 'k1', ttlSeconds: 300 });
    const refused = await caller({ identity: users.alice, grant: forged })
      .callback()
      .then(() => null, (e: TRPCError) => e);
    expect(refused?.code).toBe('FORBIDDEN');
    expect((refused?.cause as DeniedError).denial).toMatchObject({ code: 'flagstage.grant-bad-signature', reason: 'bad-signature' });
    const bobs = await caller({ identity: users.bob, grant })
      .callback()
      .then(() => null, (e: TRPCError) => e.cause as DeniedError);
    expect(bobs?.denial.reason).toBe('wrong-identity');
    // A live gate never looks at grants.
    await expect(caller({ identity: users.alice, grant }).towns()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('onDenied chooses the error thrown', async () => {
    const { caller } = grantWorker(aliceOnly, (denial) => new TRPCError({ code: 'NOT_FOUND', message: `no ${denial.flag}` }));
    await expect(caller({ identity: users.bob, grant: null }).towns()).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no gastown' });
  });

  it('continuing without grant options is refused at definition', () => {
    const t = initTRPC.context<AppContext>().create();
    const requireFlag = createRequireFlag(flagsFor(aliceOnly), { identity: (ctx: AppContext) => ctx.identity });
    expect(() => t.procedure.use(requireFlag(requireGastown, { continuing: true }))).toThrow(/^flagstage: requireFlag\(gate, \{ continuing: true \}\) needs/);
  });

  it('mounts the Flagsmith webhook next to the fetch adapter', async () => {
    const { worker } = grantWorker(aliceOnly);
    const body = JSON.stringify({ data: { changed_by: 'x' }, event_type: 'FLAG_UPDATED' });
    const signed = await worker.fetch(
      new Request('https://gastown.test/webhooks/flagsmith', { method: 'POST', body, headers: { 'x-flagsmith-signature': await signWebhookBody('flagsmith-webhook-secret', body) } }),
    );
    expect(signed.status).toBe(200);
    expect(await signed.json()).toMatchObject({ code: 'refreshed' });
    const forged = await worker.fetch(
      new Request('https://gastown.test/webhooks/flagsmith', { method: 'POST', body, headers: { 'x-flagsmith-signature': await signWebhookBody('nope', body) } }),
    );
    expect(forged.status).toBe(401);
  });
});
