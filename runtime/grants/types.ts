import type { GateResult } from '../gate/resolve';
import type { Identity } from '../identity';

/** The `purpose` claim every flagstage grant carries, so a token minted for anything else never passes. */
export const GRANT_PURPOSE = 'flagstage.grant';

/** The JWS `typ` header of a grant (RFC 8725 §3.11: explicit typing against token confusion). */
export const GRANT_TYP = 'flagstage-grant+jwt';

/** A secret as the app holds it: a string (UTF-8 encoded) or raw bytes. At least 32 bytes. */
export type GrantSecret = string | Uint8Array;

/**
 * A verified grant: the flags that were allowed for an identity when work started, so routes serving
 * that work (agent callbacks, an active container) keep working after a kill-switch.
 */
export interface Grant<K extends string = string> {
  /** The identity's `userId`. */
  readonly sub: string;
  /** The identity's `orgId`, or null. */
  readonly org: string | null;
  /** The flags allowed when the grant was issued. */
  readonly flags: readonly K[];
  /** Issued at, seconds since epoch. */
  readonly iat: number;
  /** Expiry, seconds since epoch. */
  readonly exp: number;
  /** The document revision the decisions were made from, or null. */
  readonly revision: string | null;
  /** The key id it was signed with. */
  readonly kid: string;
}

/** Why `verifyGrant` refused a token. */
export type GrantRefusal = 'expired' | 'bad-signature' | 'wrong-purpose' | 'malformed' | 'unknown-kid';

/** The result of `verifyGrant`: never throws on a bad token, only on a bad configuration. */
export type GrantVerification<K extends string = string> =
  | { readonly ok: true; readonly grant: Grant<K> }
  | { readonly ok: false; readonly error: GrantRefusal };

export interface IssueGrantOptions {
  /** The signing secret, at least 32 bytes. */
  readonly secret: GrantSecret;
  /** Lifetime in seconds (a positive integer). Keep it short: a grant outlives a kill-switch. */
  readonly ttlSeconds: number;
  /** Key id, so verifiers can hold several secrets during a rotation. */
  readonly kid: string;
  /** The document revision the decisions were made from. */
  readonly revision?: string | null;
  /** Clock, ms since epoch (tests). Default `Date.now`. */
  readonly now?: () => number;
}

export interface VerifyGrantOptions {
  /** Secrets by key id: the current one and, during a rotation, the previous one. */
  readonly secrets: Readonly<Record<string, GrantSecret>>;
  /** Clock, ms since epoch (tests). Default `Date.now`. */
  readonly now?: () => number;
  /** Accepted clock skew in seconds. Default 0. */
  readonly clockToleranceSeconds?: number;
}

/**
 * Checks a token presented at a continuing gate: what an adapter's `grants: { verify }` takes, built by
 * `grantVerifier({ secrets })` from `flagstage/grants`. `context` is the adapter's request (Hono's
 * `Context`, tRPC's `ctx`; none in Next), for secrets read from it (a Worker's `env`). The adapters
 * reach grant code only through it, so an app without grants never bundles `jose`.
 */
export interface GrantVerifier<C = never> {
  (token: string, context: C): Promise<GrantVerification>;
  /**
   * Judges a presented token at a continuing gate for `flag` and the request's identity: the grant,
   * or its refusal (`flagstage.grant-<why>`). It comes with the verifier so that only an app with
   * continuing routes bundles it; Hono's `requireFlag(gate, { continuing: true })` needs it.
   * @internal For flagstage's adapters.
   */
  readonly judge?: <K extends string>(token: string, context: C, flag: K, identity: Identity | null) => Promise<GateResult<K>>;
}

/** The options of `grantVerifier`: `verifyGrant`'s, with secrets that may depend on the request. */
export interface GrantVerifierOptions<C = never> extends Omit<VerifyGrantOptions, 'secrets'> {
  /** Secrets by key id (current and, while rotating, previous), or a function of the adapter's request returning them. */
  readonly secrets: Readonly<Record<string, GrantSecret>> | ((context: C) => Readonly<Record<string, GrantSecret>>);
}
