import { FlagstageError } from 'flagstage';
import { prefixed } from '../../runtime/errors/flagstage-error';
import { TRPCError, type TRPCMiddlewareFunction } from '@trpc/server';
import type { Flagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import type { FlagKey, Gate } from '../../runtime/manifest/index';
import type { Decision } from '../../runtime/policy/decision';
import type { WaitUntil } from '../../runtime/sources/source';
import { assertGate } from '../shared/gate';

export interface RequireFlagOptions<TContext> {
  /**
   * The identity of the call, from what the app's `createContext` established from its own session
   * (never from input or a header the client sets). Null: nobody signed in.
   */
  readonly identity: (ctx: TContext) => Identity | null | Promise<Identity | null>;
  /** Lets a stale document refresh after the response (on Workers: the fetch handler's `ctx`). */
  readonly waitUntil?: (ctx: TContext) => WaitUntil | undefined;
}

/** What a gated procedure's `ctx` gains. */
export interface FlagContext<K extends FlagKey> {
  /** The live decision that let the call through. */
  readonly flagDecision: Decision<K>;
}

/**
 * A tRPC procedure middleware for one gate: `t.procedure.use(requireFlag(requireGastown))`.
 * Its resolver sees `ctx.flagDecision`, typed by the gate's flag.
 */
export type FlagMiddleware<TContext, K extends FlagKey> = TRPCMiddlewareFunction<TContext, object, object, FlagContext<K>, unknown>;

/** The stable messages of the errors a gate throws. */
export const messages = {
  unauthenticated: (flag: string) => prefixed(`unauthenticated (${flag})`),
  forbidden: (flag: string) => prefixed(`forbidden (${flag})`),
} as const;

/**
 * Makes the app's `requireFlag(gate)`, a procedure middleware: it decides live for the call's
 * identity and throws `TRPCError` UNAUTHORIZED (`flagstage: unauthenticated (<flag>)`) without one,
 * FORBIDDEN (`flagstage: forbidden (<flag>)`) when the flag is not allowed, and otherwise adds the
 * decision to `ctx.flagDecision`. Nothing else about the decision reaches the client; create your
 * root with `isDev: false` in production so error bodies carry no stack.
 *
 * @example
 * ```ts
 * import { initTRPC } from '@trpc/server';
 * import { createRequireFlag } from 'flagstage/trpc';
 * import { requireGastown, withFeature } from './flags.gen';
 *
 * const t = initTRPC.context<{ identity: Identity | null }>().create({ isDev: false });
 * const requireFlag = createRequireFlag(flags, { identity: (ctx: { identity: Identity | null }) => ctx.identity });
 *
 * export const gastownProcedure = t.procedure.use(requireFlag(requireGastown));
 * export const router = t.router({
 *   slingBatch: gastownProcedure.use(requireFlag(withFeature('convoys'))).mutation(({ ctx }) => ctx.flagDecision.reason),
 * });
 * ```
 */
export function createRequireFlag<TContext>(
  flags: Flagstage,
  options: RequireFlagOptions<TContext>,
): <K extends FlagKey>(gate: Gate<K>) => FlagMiddleware<TContext, K> {
  if (typeof options?.identity !== 'function') {
    throw new FlagstageError('invalid-option', 'createRequireFlag(flags, { identity }) needs an identity function');
  }
  return function requireFlag<K extends FlagKey>(gate: Gate<K>): FlagMiddleware<TContext, K> {
    assertGate(gate, 'requireFlag');
    const flag = gate.flag;
    return async function requireFlag({ ctx: procedureCtx, next }) {
      // tRPC hands the middleware the app's context (plus earlier overrides): a TContext.
      const ctx = procedureCtx as TContext;
      const identity = await options.identity(ctx);
      if (identity === null || identity === undefined) {
        throw new TRPCError({ code: 'UNAUTHORIZED', message: messages.unauthenticated(flag) });
      }
      const decision = await flags.decide(flag, identity, options.waitUntil?.(ctx));
      if (!decision.allowed) throw new TRPCError({ code: 'FORBIDDEN', message: messages.forbidden(flag) });
      return next({ ctx: { flagDecision: decision as Decision<K> } });
    };
  };
}
