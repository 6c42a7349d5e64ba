// tRPC procedures gated by the generated gates.
import { initTRPC } from '@trpc/server';
import type { Identity } from 'flagstage';
import { createRequireFlag } from 'flagstage/trpc';
import { requireReports, withFeature } from '../flags.gen';
import { flags } from './flags';

export interface Context {
  readonly identity: Identity | null;
}

const t = initTRPC.context<Context>().create({ isDev: false });
const requireFlag = createRequireFlag(flags, { identity: (ctx: Context) => ctx.identity });

export const appRouter = t.router({
  reports: t.procedure.use(requireFlag(requireReports)).query(({ ctx }) => ctx.flagDecision.reason),
  exportCsv: t.procedure.use(requireFlag(withFeature('exportCsv'))).mutation(({ ctx }) => ctx.flagDecision.allowed),
});
export type AppRouter = typeof appRouter;
