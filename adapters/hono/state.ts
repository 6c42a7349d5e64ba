import type { Context } from 'hono';
import { FlagstageError } from 'flagstage';
import type { Flagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import type { FlagKey } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import type { WaitUntil } from '../../runtime/sources/source';
import type { DeniedHandler, FlagstageRequest, GrantOptions } from './types';

/**
 * Per-request state, and the request's `c.var.flagstage` handle itself: one object per request,
 * held by that request's Context (Hono's own per-request variable map) and never shared across
 * requests. Not a WeakMap keyed by the Context: a WeakMap insert per request costs more GC work
 * (V8 ephemerons) than the gate's decision. `requireFlag` finds it with `c.get('flagstage')` and
 * `instanceof`, so a value the app put there itself is refused as missing setup, not trusted.
 */
export class RequestState implements FlagstageRequest {
  readonly #flags: Flagstage;
  readonly identity: Identity | null;
  readonly waitUntil: WaitUntil | undefined;
  readonly grants: GrantOptions | undefined;
  readonly onDenied: DeniedHandler | undefined;
  /** The request's decisions, each made at most once (created on the first). */
  #decisions: Map<string, Promise<Decision<string>>> | undefined;
  #snapshot: Promise<FlagSnapshot> | undefined;

  constructor(flags: Flagstage, identity: Identity | null, waitUntil: WaitUntil | undefined, grants: GrantOptions | undefined, onDenied: DeniedHandler | undefined) {
    this.#flags = flags;
    this.identity = identity;
    this.waitUntil = waitUntil;
    this.grants = grants;
    this.onDenied = onDenied;
  }

  decide<K extends FlagKey>(flag: K): Promise<Decision<K> | null> {
    return (this.identity === null ? Promise.resolve(null) : this.decideFor(flag, this.identity)) as Promise<Decision<K> | null>;
  }

  snapshot(): Promise<FlagSnapshot> {
    return (this.#snapshot ??= this.#snapshotOf());
  }

  /** What the gate resolution decides through (`GateDecider`): memoised per flag for this request. */
  decideFor(flag: FlagKey, identity: Identity): Promise<Decision<string>> {
    const decisions = (this.#decisions ??= new Map());
    let decision = decisions.get(flag);
    if (decision === undefined) {
      decision = this.#flags.decide(flag, identity, this.waitUntil);
      decisions.set(flag, decision);
    }
    return decision;
  }

  /** Reports the outcome of work the flag let this request's identity do (`flags.track`; a no-op without a reporter). */
  track(flag: FlagKey, outcome: 'error' | 'success'): void {
    if (this.identity !== null) this.#flags.track(this.identity, flag, outcome, this.waitUntil);
  }

  #snapshotOf(): Promise<FlagSnapshot> {
    if (this.identity !== null) return this.#flags.snapshot(this.identity, this.waitUntil);
    const flags = Object.fromEntries(Object.keys(this.#flags.manifest.flags).map((key) => [key, false]));
    return Promise.resolve({ revision: null, flags: flags as FlagSnapshot['flags'] });
  }
}

/** The state `flagstage()` set up, or a configuration error naming the fix. */
export function getState(c: Context, caller: () => string): RequestState {
  const state: unknown = c.get('flagstage');
  if (!(state instanceof RequestState)) {
    throw new FlagstageError('missing-setup', `${caller()} needs app.use(flagstage(flags, { identity })) to run before it`);
  }
  return state;
}

/**
 * `c.executionCtx` throws when Hono runs without one (`app.request()` in tests, some runtimes):
 * then refreshes simply run inline with the request.
 */
export function waitUntilOf(c: Context): WaitUntil | undefined {
  try {
    return c.executionCtx; // called as ctx.waitUntil(promise), a method call: no wrapper needed
  } catch {
    return undefined;
  }
}
