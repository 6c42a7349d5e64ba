import type { Identity } from '../identity';
import type { Grant, GrantVerification } from '../grants/types';
import type { Decision } from '../policy/decision';
import type { WaitUntil } from '../sources/source';
import { FORBIDDEN, refused, UNAUTHENTICATED, type Denial } from './denial';
import { judgeGrant } from './grant';

/** What a gate needs to decide: `flags` itself, or an adapter's per-request memo in front of it. */
export interface GateDecider {
  decide(flag: never, identity: Identity, context?: WaitUntil): Decision<string> | Promise<Decision<string>>;
}

/** One request at one gate, as every adapter describes it after reading its framework's request. */
export interface GateRequest {
  /** From the app's authenticated session; null when nobody is signed in. */
  readonly identity: Identity | null;
  /** Lets a stale document refresh after the response. */
  readonly waitUntil?: WaitUntil | undefined;
  /**
   * Only on routes serving work already in flight (`continuing`): the presented grant token (null or
   * empty: none presented, so the live decision applies) and how to verify it (the app's
   * `grantVerifier` from `flagstage/grants`, bound to the request): the gate itself holds no grant code.
   */
  readonly grant?: { readonly token: string | null | undefined; readonly verify: (token: string) => Promise<GrantVerification> };
}

/** What a gate concluded: allowed by a live decision, allowed by a grant, or denied. */
export type GateResult<K extends string = string> =
  | { readonly allowed: true; readonly flag: K; readonly decision: Decision<K>; readonly grant: null }
  | { readonly allowed: true; readonly flag: K; readonly decision: null; readonly grant: Grant<K> }
  | Refused<K>;

/** A gate's refusal: the denial to answer with. */
export interface Refused<K extends string = string> {
  readonly allowed: false;
  readonly flag: K;
  readonly denial: Denial<K>;
}

/**
 * The one gate resolution every adapter translates (Hono into a response, tRPC into a `TRPCError`,
 * Next into a redirect): a presented grant on a continuing route is judged on its own (403
 * `flagstage.grant-<why>` when expired, forged, for another flag or for another user); otherwise the
 * live decision: 401 `flagstage.unauthenticated` without an identity, 403 `flagstage.forbidden` when
 * the flag is not allowed.
 *
 * @example
 * ```ts
 * const result = await resolveGate(flags, 'gastown', { identity, waitUntil: ctx });
 * if (!result.allowed) return Response.json({ error: result.denial.code, flag: result.flag }, { status: result.denial.status });
 * ```
 */
export async function resolveGate<K extends string>(flags: GateDecider, flag: K, request: GateRequest): Promise<GateResult<K>> {
  const { identity, grant } = request;
  const token = grant?.token;
  if (typeof token === 'string' && token !== '') return judgeGrant(flag, identity, grant!.verify(token));
  return liveGate(flag, identity === null ? null : ((await flags.decide(flag as never, identity, request.waitUntil)) as Decision<K>));
}

/**
 * The live half of `resolveGate`, for an adapter that already holds the request's decision (null: no
 * identity): 401 `flagstage.unauthenticated`, 403 `flagstage.forbidden`, or allowed. Synchronous, so
 * a gate on a warm isolate waits once, for the decision, and for nothing else.
 * @internal For flagstage's adapters.
 */
export function liveGate<K extends string>(flag: K, decision: Decision<K> | null): GateResult<K> {
  if (decision === null) return refused(flag, 401, UNAUTHENTICATED, 'unauthenticated');
  if (!decision.allowed) return refused(flag, 403, FORBIDDEN, decision.reason as Denial['reason']);
  return { allowed: true, flag, decision, grant: null };
}
