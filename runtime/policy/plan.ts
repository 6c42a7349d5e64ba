import type { Manifest } from '../manifest/types';
import { lineage } from '../stages/parents';

/** A flag's place in the manifest's tree, resolved once per manifest. */
export interface FlagPlan<K extends string = string> {
  readonly key: K;
  readonly parent: K | null;
  /** The flag itself first, then its parent, up to the root: the kill-switches that apply to it. */
  readonly lineage: readonly K[];
}

/**
 * Resolves every flag's ancestry once, refusing a manifest the policy could not decide on (a parent
 * that is not a flag, or a cycle). Codegen validates this too; the runtime checks again because a
 * hand-written manifest would otherwise loop or silently allow a sub-flag.
 *
 * @example
 * ```ts
 * planManifest(manifest).convoys.lineage; // ['convoys', 'gastown']
 * ```
 */
export function planManifest<K extends string>(manifest: Manifest<K>): Readonly<Record<K, FlagPlan<K>>> {
  const plans = {} as Record<K, FlagPlan<K>>;
  for (const key of Object.keys(manifest.flags) as K[]) {
    const chain = lineage(manifest, key);
    plans[key] = Object.freeze({ key, parent: chain[1] ?? null, lineage: Object.freeze(chain) });
  }
  return Object.freeze(plans);
}
