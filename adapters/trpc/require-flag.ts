import { TRPCError, type TRPCMiddlewareFunction } from '@trpc/server';
import { DeniedError, FlagstageError, resolveGate } from 'flagstage';
import type { Flagstage } from '../../runtime/flagstage';
import type { Denial } from '../../runtime/gate/denial';
import type { Grant, GrantVerifier } from '../../runtime/grants/types';
import type { Identity } from '../../runtime/identity';
import type { FlagKey, Gate } from '../../runtime/manifest/index';
import type { Decision } from '../../runtime/policy/decision';
import type { WaitUntil } from '../../runtime/sources/source';
import { prefixed } from '../../runtime/errors/flagstage-error';
import { assertGate } from '../shared/gate';
import { checkGrantOptions } from '../shared/grants';

/** Where `requireFlag(gate, { continuing: true })` finds and checks grants. */
export interface GrantOptions<TContext> {
  /**
   * Checks a presented token: `grantVerifier({ secrets })` from `flagstage/grants` (secrets by key id,
   * or a function of the call's context returning them). Only this brings grant code (`jose`) in.
   */
  readonly verify: GrantVerifier<TContext>;
  /** Reads the presented grant token from the call's context (e.g. the `X-Flagstage-Grant` header `createContext` kept). */
  readonly token: (ctx: TContext) => string | null | undefined | Promise<string | null | undefined>;
}

/** The options every server adapter shares (Hono, tRPC, Next), each with its framework's request. */
export interface RequireFlagOptions<TContext> {
  /**
   * The identity of the call, from what the app's `createContext` established from its own session
   * (never from input or a header the client sets). Null: nobody signed in.
   */
  readonly identity: (ctx: TContext) => Identity | null | Promise<Identity | null>;
  /** Lets a stale document refresh after the response (on Workers: the fetch handler's `ctx`). */
  readonly waitUntil?: (ctx: TContext) => WaitUntil | undefined;
  /** Enables `requireFlag(gate, { continuing: true })`. */
  readonly grants?: GrantOptions<TContext>;
  /**
   * The error a denied call throws. Default: `TRPCError` UNAUTHORIZED / FORBIDDEN with the message
   * `flagstage: unauthenticated (<flag>)` / `flagstage: forbidden (<flag>)` and a `DeniedError`
   * (with `denial`) as its `cause`.
   */
  readonly onDenied?: (denial: Denial<FlagKey>, ctx: TContext) => Error;
}

/** What a gated procedure's `ctx` gains. */
export interface FlagContext<K extends FlagKey> {
  /** The live decision that let the call through. */
  readonly flagDecision: Decision<K>;
}

/** What a continuing procedure's `ctx` gains: the live decision, or the grant that let the call through. */
export interface ContinuingFlagContext<K extends FlagKey> {
  readonly flagDecision: Decision<K> | null;
  readonly flagGrant: Grant<FlagKey> | null;
}

/**
 * A tRPC procedure middleware for one gate: `t.procedure.use(requireFlag(requireGastown))`.
 * Its resolver sees `ctx.flagDecision`, typed by the gate's flag.
 */
export type FlagMiddleware<TContext, K extends FlagKey> = TRPCMiddlewareFunction<TContext, object, object, FlagContext<K>, unknown>;

/** `requireFlag(gate, { continuing: true })`: its resolver sees `ctx.flagDecision` or `ctx.flagGrant`. */
export type ContinuingFlagMiddleware<TContext, K extends FlagKey> = TRPCMiddlewareFunction<TContext, object, object, ContinuingFlagContext<K>, unknown>;

/** The stable messages of the errors a gate throws. */
export const messages = {
  unauthenticated: (flag: string) => prefixed(`unauthenticated (${flag})`),
  forbidden: (flag: string) => prefixed(`forbidden (${flag})`),
} as const;

/**
 * The default error for a denial: UNAUTHORIZED or FORBIDDEN, the stable message, and the denial as
 * `cause` (a `DeniedError`); nothing else about the decision reaches the client.
 */
export function deniedError(denial: Denial<FlagKey>): TRPCError {
  return new TRPCError({
    code: denial.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN',
    message: denial.status === 401 ? messages.unauthenticated(denial.flag) : messages.forbidden(denial.flag),
    cause: new DeniedError(denial),
  });
}

/**
 * Makes the app's `requireFlag(gate)`, a procedure middleware: it resolves the gate (the runtime's
 * `resolveGate`) for the call's identity and throws `TRPCError` UNAUTHORIZED
 * (`flagstage: unauthenticated (<flag>)`) without one, FORBIDDEN (`flagstage: forbidden (<flag>)`)
 * when the flag is not allowed (the denial is the error's `cause`), and otherwise adds the decision
 * to `ctx.flagDecision`. With `{ continuing: true }` a valid grant (see `grants`) lets the call
 * through instead. Create your root with `isDev: false` in production so error bodies carry no stack.
 *
 * @example
 * ```ts
 * import { initTRPC } from '@trpc/server';
 * import { createRequireFlag } from 'flagstage/trpc';
 * import { grantVerifier } from 'flagstage/grants';
 * import { requireGastown, withFeature } from './flags.gen';
 *
 * const t = initTRPC.context<{ identity: Identity | null; grant: string | null }>().create({ isDev: false });
 * const requireFlag = createRequireFlag(flags, {
 *   identity: (ctx: { identity: Identity | null; grant: string | null }) => ctx.identity,
 *   grants: { verify: grantVerifier({ secrets: { k1: env.GRANT_SECRET } }), token: (ctx) => ctx.grant },
 * });
 *
 * export const gastownProcedure = t.procedure.use(requireFlag(requireGastown));
 * export const router = t.router({
 *   slingBatch: gastownProcedure.use(requireFlag(withFeature('convoys'))).mutation(({ ctx }) => ctx.flagDecision.reason),
 *   agentCallback: t.procedure.use(requireFlag(requireGastown, { continuing: true })).mutation(({ ctx }) => ctx.flagGrant?.sub),
 * });
 * ```
 */
export function createRequireFlag<TContext>(flags: Flagstage, options: RequireFlagOptions<TContext>): RequireFlag<TContext> {
  if (typeof options?.identity !== 'function') {
    throw new FlagstageError('invalid-option', 'createRequireFlag(flags, { identity }) needs an identity function');
  }
  checkGrantOptions(options.grants, 'createRequireFlag(flags, { grants })');
  const onDenied = options.onDenied ?? deniedError;
  function requireFlag<K extends FlagKey>(gate: Gate<K>, gateOptions?: { readonly continuing?: boolean }): FlagMiddleware<TContext, K> & ContinuingFlagMiddleware<TContext, K> {
    assertGate(gate, 'requireFlag');
    const flag = gate.flag;
    const continuing = gateOptions?.continuing === true;
    if (continuing && options.grants === undefined) {
      throw new FlagstageError('missing-setup', 'requireFlag(gate, { continuing: true }) needs createRequireFlag(flags, { identity, grants: { verify, token } })');
    }
    const middleware: ContinuingFlagMiddleware<TContext, K> = async function requireFlag({ ctx: procedureCtx, next }) {
      // tRPC hands the middleware the app's context (plus earlier overrides): a TContext.
      const ctx = procedureCtx as TContext;
      const grants = continuing ? options.grants : undefined;
      const grant = grants && { token: await grants.token(ctx), verify: (token: string) => grants.verify(token, ctx) };
      const result = await resolveGate(flags, flag, { identity: (await options.identity(ctx)) ?? null, waitUntil: options.waitUntil?.(ctx), grant });
      if (!result.allowed) throw onDenied(result.denial, ctx);
      return next({ ctx: { flagDecision: result.decision, flagGrant: result.grant } });
    };
    // Without `continuing` the decision is always there: the narrower context type says so.
    return middleware as FlagMiddleware<TContext, K> & ContinuingFlagMiddleware<TContext, K>;
  }
  return requireFlag as RequireFlag<TContext>;
}

/** The app's `requireFlag`: a live gate, or with `{ continuing: true }` a gate that also accepts a grant. */
export interface RequireFlag<TContext> {
  <K extends FlagKey>(gate: Gate<K>): FlagMiddleware<TContext, K>;
  <K extends FlagKey>(gate: Gate<K>, options: { readonly continuing: true }): ContinuingFlagMiddleware<TContext, K>;
}
