import type { Context, Env } from 'hono';
import type { Denial } from '../../runtime/gate/denial';
import type { FlagKey } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import type { Grant, GrantVerifier } from '../../runtime/grants/types';
import type { Identity } from '../../runtime/identity';
import type { WaitUntil } from '../../runtime/sources/source';

/**
 * What `flagstage()` puts on `c.var.flagstage` for the rest of the request. Decisions and the
 * snapshot are computed at most once per request, and only when asked for.
 */
export interface FlagstageRequest {
  /** The identity the app's `identity` function resolved, or null (no authenticated user). */
  readonly identity: Identity | null;
  /** The live decision for a flag; null when there is no identity. */
  decide<K extends FlagKey>(flag: K): Promise<Decision<K> | null>;
  /** One boolean per flag (all false without an identity), e.g. to hand to `<FlagstageProvider>`. */
  snapshot(): Promise<FlagSnapshot>;
}

/**
 * The variables flagstage sets, for the app's `Env`: `new Hono<{ Variables: AppVariables & FlagstageVariables }>()`.
 * Nothing is added to Hono's global `ContextVariableMap`, so apps without flagstage stay untouched.
 */
export interface FlagstageVariables {
  /** Set by `flagstage()`: the per-request handle (identity, decide, snapshot). */
  flagstage: FlagstageRequest;
  /** Set by `requireFlag()` when a live decision let the request through. */
  flagDecision: Decision;
  /** Set by `requireFlag(gate, { continuing: true })` when a grant let the request through. */
  flagGrant: Grant<FlagKey>;
}

/** An app `Env` whose `Variables` include flagstage's. */
export type FlagstageEnv = Env & { Variables: FlagstageVariables };

/**
 * Answers a denied request, given the denial and the request; default: `{ error: denial.code, flag }`
 * JSON with `denial.status`. Send nothing internal (`denial.reason` is for logs and redirects).
 */
export type DeniedHandler = (denial: Denial<FlagKey>, request: Request) => Response | Promise<Response>;

/** Where `requireFlag(gate, { continuing: true })` finds and checks grants. */
export interface GrantOptions<E extends Env = Env> {
  /**
   * Checks a presented token: `grantVerifier({ secrets })` from `flagstage/grants` (secrets by key id,
   * or a function of the request's Context, e.g. reading `c.env`). Only this brings grant code (`jose`)
   * into the Worker.
   */
  readonly verify: GrantVerifier<Context<E>>;
  /**
   * Reads the grant token from the request. Default: the `X-Flagstage-Grant` header. Supply your own
   * to take it from a claim in the app's own (already verified) token.
   */
  readonly token?: (c: Context<E>) => string | null | undefined | Promise<string | null | undefined>;
}

/** The options every server adapter shares (Hono, tRPC, Next), each with its framework's request. */
export interface FlagstageOptions<E extends Env = Env> {
  /**
   * The identity of the request, from what the app's own auth middleware established (e.g.
   * `c.var.user`), never from a header, query or cookie the client can set. Null: nobody signed in.
   */
  readonly identity: (c: Context<E>) => Identity | null | Promise<Identity | null>;
  /** Enables `requireFlag(gate, { continuing: true })`. */
  readonly grants?: GrantOptions<E>;
  /** Answers a denied request; `requireFlag(gate, { onDenied })` overrides it per route. */
  readonly onDenied?: DeniedHandler;
  /** Lets a stale document refresh after the response. Default: `c.executionCtx` when there is one. */
  readonly waitUntil?: (c: Context<E>) => WaitUntil | undefined;
}
