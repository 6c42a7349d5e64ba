import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { FlagKey, Flagstage } from 'flagstage';
import { createRequireFlag, messages } from 'flagstage/trpc';
import { requireGastown, withFeature } from '@/flags.gen';
import type { Dispatch, Town } from '../../shared/api';
import { callWorker, WorkerApiError } from '../worker-api';
import type { GastownContext } from './context';

const townId = z.string().min(1).max(40);
const name = z.string().trim().min(1).max(80);

/**
 * Gastown's tRPC API. Procedures are gated with the generated gates through flagstage/trpc; the
 * ones whose flag depends on the input (a second rig, the `pr` strategy) decide in the resolver.
 * Data lives behind the worker API, which checks the same flags again.
 */
export function buildRouter(flags: Flagstage) {
  // isDev: false keeps stacks out of error bodies; the formatter keeps out the message of anything
  // unexpected (tRPC would pass on e.g. "fetch failed" from a thrown Error as is).
  const t = initTRPC.context<GastownContext>().create({
    isDev: false,
    errorFormatter: ({ shape, error }) => (error.code === 'INTERNAL_SERVER_ERROR' ? { ...shape, message: 'internal' } : shape),
  });
  const requireFlag = createRequireFlag(flags, { identity: (ctx: GastownContext) => ctx.identity });

  /** Signed in and allowed into Gastown; resolvers get the token to call the worker with. */
  const gastownProcedure = t.procedure.use(requireFlag(requireGastown)).use(({ ctx, next }) => {
    if (ctx.token === null || ctx.identity === null) throw new TRPCError({ code: 'UNAUTHORIZED' });
    return next({ ctx: { token: ctx.token, identity: ctx.identity } });
  });

  /** For flags that depend on the input: the same error as the middleware gives. */
  async function ensureAllowed(flag: FlagKey, ctx: GastownContext): Promise<void> {
    if (ctx.identity === null) throw new TRPCError({ code: 'UNAUTHORIZED', message: messages.unauthenticated(flag) });
    const decision = await flags.decide(flag, ctx.identity);
    if (!decision.allowed) throw new TRPCError({ code: 'FORBIDDEN', message: messages.forbidden(flag) });
  }

  return t.router({
    /** Who the session says the caller is (null: signed out): the same answer pages and proxy.ts get. */
    me: t.procedure.query(({ ctx }) => (ctx.user === null ? null : { userId: ctx.user.id })),

    listTowns: gastownProcedure.query(({ ctx }) => worker<Town[]>(ctx.token, '/api/towns')),

    town: gastownProcedure.input(z.object({ townId })).query(({ ctx, input }) => worker<Town>(ctx.token, `/api/towns/${input.townId}`)),

    // Creating a town starts new Gastown work: gated by name here, not only by the procedure it
    // is built on, so moving it to another base procedure cannot drop the check.
    createTown: gastownProcedure
      .use(requireFlag(requireGastown))
      .input(z.object({ name }))
      .mutation(({ ctx, input }) => worker<Town>(ctx.token, '/api/towns', { method: 'POST', body: input })),

    addRig: gastownProcedure.input(z.object({ townId, name })).mutation(async ({ ctx, input }) => {
      const town = await worker<Town>(ctx.token, `/api/towns/${input.townId}`);
      if (town.rigs.length >= 1) await ensureAllowed('multiRig', ctx);
      return worker<Town>(ctx.token, `/api/towns/${input.townId}/rigs`, { method: 'POST', body: { name: input.name } });
    }),

    setMergeStrategy: gastownProcedure
      .input(z.object({ townId, strategy: z.enum(['direct', 'pr']) }))
      .mutation(async ({ ctx, input }) => {
        if (input.strategy === 'pr') await ensureAllowed('prMerge', ctx);
        return worker<Town>(ctx.token, `/api/towns/${input.townId}/merge-strategy`, { method: 'PUT', body: { strategy: input.strategy } });
      }),

    slingBatch: gastownProcedure
      .use(requireFlag(withFeature('convoys')))
      .input(z.object({ townId, beads: z.array(name).min(1).max(50) }))
      .mutation(({ ctx, input }) => worker<Town>(ctx.token, `/api/towns/${input.townId}/convoys`, { method: 'POST', body: { beads: input.beads } })),

    createMolecule: gastownProcedure
      .use(requireFlag(withFeature('molecules')))
      .input(z.object({ townId, formula: name }))
      .mutation(({ ctx, input }) => worker<Town>(ctx.token, `/api/towns/${input.townId}/molecules`, { method: 'POST', body: { formula: input.formula } })),

    dispatchContainer: gastownProcedure
      .input(z.object({ townId }))
      .mutation(({ ctx, input }) => worker<Dispatch>(ctx.token, `/api/towns/${input.townId}/containers`, { method: 'POST' })),
  });
}

export type AppRouter = ReturnType<typeof buildRouter>;

/** Calls the worker and turns its refusals into the matching tRPC errors. */
async function worker<T>(token: string, path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  try {
    return await callWorker<T>(token, path, init);
  } catch (error) {
    if (!(error instanceof WorkerApiError)) throw error;
    throw new TRPCError({ code: trpcCode(error.status), message: error.body.flag ? messages.forbidden(error.body.flag) : error.body.error });
  }
}

function trpcCode(status: number): TRPCError['code'] {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    default:
      return 'INTERNAL_SERVER_ERROR';
  }
}
