import type { FlagKey } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import type { Grant } from '../../runtime/grants/types';
import type { Identity } from '../../runtime/identity';

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

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by `flagstage()`: the per-request handle (identity, decide, snapshot). */
    flagstage: FlagstageRequest;
    /** Set by `requireFlag()` when a live decision let the request through. */
    flagDecision: Decision;
    /** Set by `requireFlag(gate, { continuing: true })` when a grant let the request through. */
    flagGrant: Grant<FlagKey>;
  }
}
