import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { describe, expect, it } from 'vitest';
import type { Identity, WaitUntil } from 'flagstage';
import { createRequireFlag } from 'flagstage/trpc';
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
