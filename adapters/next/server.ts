import { notFound, redirect } from 'next/navigation';
import type { Flagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import type { FlagKey, Gate } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import { assertGate } from '../shared/gate';

/** What a denied `requireFlag` does: `redirect()` to a path, or `notFound()`. */
export type Otherwise = { readonly redirect: string } | 'not-found';

export interface FlagstageServerOptions {
  /** Default for every `requireFlag`: `{ redirect: '/' }`. */
  readonly otherwise?: Otherwise;
}

export interface FlagstageServer {
  /**
   * Resolves with the decision when the gate allows the identity; otherwise calls Next's
   * `redirect()` or `notFound()`, which never return. For layouts, pages, route handlers and
   * server actions.
   */
  requireFlag<K extends FlagKey>(gate: Gate<K>, identity: Identity | null, options?: { readonly otherwise?: Otherwise }): Promise<Decision<K>>;
  /** The identity's snapshot for `<FlagstageProvider snapshot>`: one boolean per flag, all false without an identity. */
  getSnapshot(identity: Identity | null): Promise<FlagSnapshot>;
}

/**
 * The server-side helpers of a Next.js app: `requireFlag` for server components and actions, and
 * `getSnapshot` to hand the identity's flags to React (`<FlagstageProvider snapshot>`).
 *
 * @example
 * ```ts
 * // lib/flags.ts
 * export const { requireFlag, getSnapshot } = flagstageServer(flags, { otherwise: { redirect: '/' } });
 *
 * // app/gastown/layout.tsx
 * export default async function Layout({ children }: { children: React.ReactNode }) {
 *   await requireFlag(requireGastown, await currentIdentity());
 *   return children;
 * }
 *
 * // app/layout.tsx
 * const snapshot = await getSnapshot(await currentIdentity());
 * return <FlagstageProvider snapshot={snapshot}>{children}</FlagstageProvider>;
 * ```
 */
export function flagstageServer(flags: Flagstage, options: FlagstageServerOptions = {}): FlagstageServer {
  const defaultOtherwise: Otherwise = options.otherwise ?? { redirect: '/' };
  return {
    async requireFlag(gate, identity, callOptions) {
      assertGate(gate, 'requireFlag');
      const otherwise = callOptions?.otherwise ?? defaultOtherwise;
      const decision = identity ? await flags.decide(gate.flag, identity) : null;
      if (decision?.allowed) return decision;
      if (otherwise === 'not-found') notFound();
      redirect(otherwise.redirect);
    },
    async getSnapshot(identity) {
      if (identity) return flags.snapshot(identity);
      const all = Object.fromEntries(Object.keys(flags.manifest.flags).map((key) => [key, false]));
      return { revision: null, flags: all as FlagSnapshot['flags'] };
    },
  };
}
