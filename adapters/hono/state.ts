import type { Context } from 'hono';
import { FlagstageError } from 'flagstage';
import type { Flagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import type { FlagKey } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import type { WaitUntil } from '../../runtime/sources/source';
import type { DeniedHandler, GrantOptions } from './types';

/** Per-request state, keyed by Hono's Context (one per request); never shared across requests. */
export interface RequestState {
  readonly flags: Flagstage;
  readonly identity: Identity | null;
  readonly waitUntil: WaitUntil | undefined;
  readonly grants: GrantOptions | undefined;
  readonly onDenied: DeniedHandler | undefined;
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

/** The request's decisions, each made at most once: what the gate resolution decides through. */
export function requestDecider(state: RequestState): { decide(flag: FlagKey, identity: Identity, context?: WaitUntil): Promise<Decision<string>> } {
  return {
    decide(flag, identity, context) {
      let decision = state.decisions.get(flag);
      if (decision === undefined) {
        decision = state.flags.decide(flag, identity, context);
        state.decisions.set(flag, decision);
      }
      return decision;
    },
  };
}
