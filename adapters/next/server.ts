import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { FlagstageError, resolveGate } from 'flagstage';
import type { Flagstage } from '../../runtime/flagstage';
import type { Denial } from '../../runtime/gate/denial';
import type { GateResult } from '../../runtime/gate/resolve';
import type { Grant, GrantVerification, GrantVerifier } from '../../runtime/grants/types';
import type { Identity } from '../../runtime/identity';
import type { FlagKey, Gate } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import type { WaitUntil } from '../../runtime/sources/source';
import { assertGate } from '../shared/gate';
import { checkGrantOptions } from '../shared/grants';

/** What a denied `requireFlag` does instead of the redirect: it must not return (call `notFound()`, `redirect()` or throw). */
export type ServerDeniedHandler = (denial: Denial<FlagKey>) => never;

/** How a denied `requireFlag` leaves: `redirectTo` (a path, or a function of the denial) or `onDenied`. */
export interface DenialOptions {
  /** Where to `redirect()` on a denial. Default `/`. */
  readonly redirectTo?: string | ((denial: Denial<FlagKey>) => string);
  /** Instead of the redirect, e.g. `() => notFound()`. */
  readonly onDenied?: ServerDeniedHandler;
}

/** Where `requireFlag(gate, identity, { continuing: true })` finds and checks grants. */
export interface GrantOptions {
  /**
   * Checks a presented token: `grantVerifier({ secrets })` from `flagstage/grants`. Only this brings
   * grant code (`jose`) into the app's server bundle.
   */
  readonly verify: GrantVerifier<void>;
  /** Reads the presented token. Default: the request's `X-Flagstage-Grant` header (`next/headers`). */
  readonly token?: () => string | null | undefined | Promise<string | null | undefined>;
}

export interface FlagstageServerOptions extends DenialOptions {
  /** Enables `requireFlag(gate, identity, { continuing: true })` for route handlers serving work in flight. */
  readonly grants?: GrantOptions;
  /** Lets a stale document refresh after the response (e.g. `{ waitUntil: after }`-style, or Cloudflare's ctx). */
  readonly waitUntil?: () => WaitUntil | undefined;
}

/** What a continuing `requireFlag` resolves with: the live decision, or the grant that let the request through. */
export type ContinuingAllowed<K extends FlagKey> = { readonly decision: Decision<K>; readonly grant: null } | { readonly decision: null; readonly grant: Grant<FlagKey> };

export interface FlagstageServer {
  /**
   * Resolves with the decision when the gate allows the identity; otherwise leaves through
   * `redirectTo` (Next's `redirect()`) or `onDenied`, which never return. For layouts, pages, route
   * handlers and server actions. With `{ continuing: true }` (route handlers serving work in
   * flight), a valid grant lets the request through instead of the live decision.
   */
  requireFlag<K extends FlagKey>(gate: Gate<K>, identity: Identity | null, options?: DenialOptions & { readonly continuing?: false }): Promise<Decision<K>>;
  requireFlag<K extends FlagKey>(gate: Gate<K>, identity: Identity | null, options: DenialOptions & { readonly continuing: true }): Promise<ContinuingAllowed<K>>;
  /**
   * The gate's result without leaving: for route handlers that answer a denial themselves
   * (`Response.json({ error: result.denial.code, flag }, { status: result.denial.status })`).
   */
  resolveFlag<K extends FlagKey>(gate: Gate<K>, identity: Identity | null, options?: { readonly continuing?: boolean }): Promise<GateResult<K>>;
  /** The identity's snapshot for `<FlagstageProvider snapshot>`: one boolean per flag, all false without an identity. */
  getSnapshot(identity: Identity | null): Promise<FlagSnapshot>;
}

/**
 * The server-side helpers of a Next.js app: `requireFlag` for server components, route handlers and
 * actions (the runtime's `resolveGate`, translated into `redirect()` / `onDenied`), and
 * `getSnapshot` to hand the identity's flags to React (`<FlagstageProvider snapshot>`).
 *
 * @example
 * ```ts
 * // lib/flags.ts
 * export const { requireFlag, getSnapshot } = flagstageServer(flags, { redirectTo: (denial) => `/?denied=${denial.flag}` });
 *
 * // app/gastown/layout.tsx
 * export default async function Layout({ children }: { children: React.ReactNode }) {
 *   await requireFlag(requireGastown, await currentIdentity());
 *   return children;
 * }
 * // app/labs/page.tsx: a 404 instead
 * await requireFlag(withFeature('molecules'), await currentIdentity(), { onDenied: () => notFound() });
 *
 * // app/layout.tsx
 * const snapshot = await getSnapshot(await currentIdentity());
 * return <FlagstageProvider snapshot={snapshot}>{children}</FlagstageProvider>;
 * ```
 */
export function flagstageServer(flags: Flagstage, options: FlagstageServerOptions = {}): FlagstageServer {
  checkGrantOptions(options.grants, 'flagstageServer(flags, { grants })');
  async function resolveFlag<K extends FlagKey>(gate: Gate<K>, identity: Identity | null, callOptions: { readonly continuing?: boolean } = {}): Promise<GateResult<K>> {
    assertGate(gate, 'requireFlag');
    const grant = callOptions.continuing === true ? await grantOf(options.grants) : undefined;
    return resolveGate(flags, gate.flag, { identity: identity ?? null, waitUntil: options.waitUntil?.(), grant });
  }
  async function requireFlag<K extends FlagKey>(gate: Gate<K>, identity: Identity | null, callOptions: DenialOptions & { readonly continuing?: boolean } = {}) {
    const result = await resolveFlag(gate, identity, callOptions);
    if (result.allowed) return callOptions.continuing === true ? { decision: result.decision, grant: result.grant } : result.decision;
    const onDenied = callOptions.onDenied ?? (callOptions.redirectTo === undefined ? options.onDenied : undefined);
    if (onDenied) onDenied(result.denial);
    const target = callOptions.redirectTo ?? options.redirectTo ?? '/';
    redirect(typeof target === 'function' ? target(result.denial) : target);
  }
  return {
    requireFlag: requireFlag as FlagstageServer['requireFlag'],
    resolveFlag,
    async getSnapshot(identity) {
      if (identity) return flags.snapshot(identity, options.waitUntil?.());
      const all = Object.fromEntries(Object.keys(flags.manifest.flags).map((key) => [key, false]));
      return { revision: null, flags: all as FlagSnapshot['flags'] };
    },
  };
}

async function grantOf(
  grants: GrantOptions | undefined,
): Promise<{ token: string | null | undefined; verify: (token: string) => Promise<GrantVerification> }> {
  if (grants === undefined) {
    throw new FlagstageError(
      'missing-setup',
      "requireFlag(gate, identity, { continuing: true }) needs flagstageServer(flags, { grants: { verify: grantVerifier({ secrets }) } }) (grantVerifier from 'flagstage/grants')",
    );
  }
  const token = grants.token ? await grants.token() : (await headers()).get('x-flagstage-grant');
  return { token, verify: (presented) => grants.verify(presented, undefined) };
}

