import type { Context } from 'hono';
import { FlagstageError } from 'flagstage';
import type { Flagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import type { FlagKey } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import type { MemoHolder } from '../../runtime/policy/memo';
import type { WaitUntil } from '../../runtime/sources/source';
import type { DeniedHandler, FlagstageRequest, GrantOptions } from './types';

/** What one `flagstage()` middleware hands every request it sets up: made once, not per request. */
export interface Setup {
  readonly flags: Flagstage;
  readonly grants: GrantOptions | undefined;
  readonly onDenied: DeniedHandler | undefined;
  /** Whether `flags.track` reports anywhere: without a reporter a gate need not wait for the route's answer. */
  readonly tracks: boolean;
}

/**
 * Per-request state, and the request's `c.var.flagstage` handle itself: one object per request,
 * held by that request's Context (Hono's own per-request variable map) and never shared across
 * requests. Not a WeakMap keyed by the Context: a WeakMap insert per request costs more GC work
 * (V8 ephemerons) than the gate's decision. `requireFlag` finds it with `c.get('flagstage')` and
 * `instanceof`, so a value the app put there itself is refused as missing setup, not trusted.
 */
export class RequestState implements FlagstageRequest, MemoHolder {
  // Declared, not defined as class fields: the constructor's plain stores are all a request pays.
  declare readonly setup: Setup;
  declare readonly identity: Identity | null;
  declare readonly waitUntil: WaitUntil | undefined;
  // The request's decisions, each made at most once: the first in two fields (a gated request
  // usually makes one), any others in a Map made on the second. A decision made on a fresh document
  // in memory is held as it is, not as a promise (see decideFor).
  #flag: FlagKey | undefined;
  #decision: Decided | undefined;
  #others: Map<string, Decided> | undefined;
  #snapshot: Promise<FlagSnapshot> | undefined;
  /**
   * The identity's memo for this request's decisions (`MemoHolder`): made by the first, and no search
   * of the runtime's recent identities for it. Internal: not part of `FlagstageRequest`.
   */
  declare memoEntry: MemoHolder['memoEntry'];

  constructor(setup: Setup, identity: Identity | null, waitUntil: WaitUntil | undefined) {
    this.setup = setup;
    this.identity = identity;
    this.waitUntil = waitUntil;
    this.memoEntry = undefined;
  }

  // async: a decision that throws (an identity without a userId) rejects, as it always did.
  async decide<K extends FlagKey>(flag: K): Promise<Decision<K> | null> {
    return this.decideFor(flag) as Decision<K> | Promise<Decision<K>> | null;
  }

  snapshot(): Promise<FlagSnapshot> {
    const { flags } = this.setup;
    // Without an identity every flag is off: nobody is asking.
    return (this.#snapshot ??=
      this.identity === null
        ? Promise.resolve({ revision: null, flags: Object.fromEntries(Object.keys(flags.manifest.flags).map((key) => [key, false])) as FlagSnapshot['flags'] })
        : flags.snapshot(this.identity, this.waitUntil));
  }

  /**
   * What the gate resolution decides through (`GateDecider`): memoised per flag for this request.
   * On a fresh document in memory the decision itself (`flags.decideFresh`), so a gate awaits nothing;
   * otherwise its promise (a cold isolate, a refresh due). Null without an identity.
   */
  decideFor(flag: FlagKey): Decided | null {
    const { identity } = this;
    if (identity === null) return null;
    if (this.#flag === flag) return this.#decision!;
    const others = this.#flag === undefined ? undefined : (this.#others ??= new Map());
    let decision = others?.get(flag);
    if (decision === undefined) {
      decision = this.setup.flags.decideFresh(flag, identity, this.waitUntil, this);
      if (others === undefined) {
        this.#flag = flag;
        this.#decision = decision;
      } else others.set(flag, decision);
    }
    return decision;
  }

}

/** A decision, or the promise of one while the document is not at hand. */
export type Decided = Decision<string> | Promise<Decision<string>>;

/** The state `flagstage()` set up, or a configuration error naming the fix. */
export function getState(c: Context, caller: string): RequestState {
  const state: unknown = c.get('flagstage');
  if (!(state instanceof RequestState)) {
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
    return c.executionCtx; // called as ctx.waitUntil(promise), a method call: no wrapper needed
  } catch {
    return undefined;
  }
}
