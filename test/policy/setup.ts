// Shared by the policy tests: Gastown's manifest, documents built with flagstage/testing (runtime/testing).
import { manifest } from '../../flags.gen';
import { createFlagstage, type Flagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import type { Decision } from '../../runtime/policy/decision';
import { staticSource } from '../../runtime/sources/static';
import { buildDocument, type FlagSetup } from '../../runtime/testing/index';

export { manifest };
export type Key = keyof typeof manifest.flags;
export type Setup = Partial<Record<Key, FlagSetup>>;
export const KEYS = Object.keys(manifest.flags) as Key[];
export const SUB_FLAGS = KEYS.filter((key) => manifest.flags[key].parent !== null);
export const STAGES = ['admin-only', 'allowlist', 'percentage', 'ga'] as const;

/** A runtime on a static document built from the setup. */
export function flagsFor(setup: Setup): Flagstage<typeof manifest> {
  return createFlagstage({ manifest, source: staticSource(buildDocument(manifest, setup)) });
}

export const user = (userId: string, orgId?: string): Identity => ({ userId, orgId: orgId ?? null, isAdmin: false });
export const admin = (userId = 'admin-1', orgId?: string): Identity => ({ userId, orgId: orgId ?? null, isAdmin: true });

/** `users(n)` is n fresh non-admin identities, `u0`…`u{n-1}`, with an optional org per index. */
export function users(count: number, org?: (index: number) => string | undefined): Identity[] {
  return Array.from({ length: count }, (_, index) => user(`u${index}`, org?.(index)));
}

/** Synchronous decide on the static document (the source holds exactly one). */
export async function deciderFor(setup: Setup): Promise<(flag: Key, identity: Identity) => Decision<Key>> {
  const flags = flagsFor(setup);
  const loaded = await flags.source.current();
  return (flag, identity) => flags.decideOn(loaded, flag, identity);
}

/** For a sub-flag, the setup that puts its parent at GA so the sub-flag's own stage decides. */
export function withOpenParent(flag: Key, setup: FlagSetup): Setup {
  const parent = manifest.flags[flag].parent as Key | null;
  return parent === null ? { [flag]: setup } : { [parent]: { stage: 'ga' }, [flag]: setup };
}
