import { FlagstageError } from 'flagstage';
import type { Context } from 'hono';
import type { Flagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import type { FlagKey } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import type { WaitUntil } from '../../runtime/sources/source';
import type { GrantOptions } from './flagstage';

/** Per-request state, keyed by Hono's Context (one per request); never shared across requests. */
export interface RequestState {
  readonly flags: Flagstage;
  readonly identity: Identity | null;
  readonly waitUntil: WaitUntil | undefined;
  readonly grants: GrantOptions | undefined;
  readonly decisions: Map<string, Promise<Decision<string>>>;
  snapshot: Promise<FlagSnapshot> | undefined;
}

const states = new WeakMap<Context, RequestState>();

export function setState(c: Context, state: RequestState): void {
  states.set(c, state);
}

/** The state `flagstage()` set up, or a configuration error naming the fix. */
export function getState(c: Context, caller: string): RequestState {
  const state = states.get(c);
  if (state === undefined) {
    throw new FlagstageError('missing-setup', `${caller} needs app.use(flagstage(flags, { identity })) to run before it`);
  }
  return state;
}

/**
 * `c.executionCtx` throws when Hono runs without one (`app.request()` in tests, some runtimes):
 * then refreshes simply run inline with the request.
 */
export function waitUntilOf(c: Context): WaitUntil | undefined {
  try {
    const ctx = c.executionCtx;
    return { waitUntil: (promise) => ctx.waitUntil(promise) };
  } catch {
    return undefined;
  }
}

/** The memoized live decision, or null without an identity. */
export function decide(state: RequestState, flag: string): Promise<Decision<string>> | null {
  if (state.identity === null) return null;
  let decision = state.decisions.get(flag);
  if (decision === undefined) {
    decision = state.flags.decide(flag as FlagKey, state.identity, state.waitUntil);
    state.decisions.set(flag, decision);
  }
  return decision;
}
