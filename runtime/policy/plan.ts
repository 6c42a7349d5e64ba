import { FlagstageError } from '../errors/flagstage-error';
import type { Manifest } from '../manifest/types';

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
  const keys = Object.keys(manifest.flags) as K[];
  for (const key of keys) {
    const lineage: K[] = [];
    let current: K | null = key;
    while (current !== null) {
      if (lineage.includes(current)) throw new FlagstageError('invalid-manifest', `flag "${key}" has a parent cycle (${[...lineage, current].join(' -> ')})`);
      lineage.push(current);
      const definition: Manifest<K>['flags'][K] | undefined = manifest.flags[current];
      const parent = definition.parent as K | null;
      if (parent !== null && !Object.prototype.hasOwnProperty.call(manifest.flags, parent)) {
        throw new FlagstageError('invalid-manifest', `flag "${current}" names parent "${parent}", which is not in the manifest`);
      }
      current = parent;
    }
    plans[key] = Object.freeze({ key, parent: (manifest.flags[key].parent as K | null) ?? null, lineage: Object.freeze(lineage) });
  }
  return Object.freeze(plans);
}
