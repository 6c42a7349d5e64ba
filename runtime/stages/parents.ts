import { FlagstageError } from '../errors/flagstage-error';
import type { Manifest } from '../manifest/types';

/** A flag's chain of parents, and the cycle that ended the walk if there was one. */
export interface ParentChain {
  /** The flag itself first, then its parent, up to the root (or to where a cycle begins). */
  readonly chain: readonly string[];
  /** The flags of a cycle, first repeated at the end (`['a', 'b', 'a']`), or null. */
  readonly cycle: readonly string[] | null;
}

/**
 * Walks a flag's parents with any parent lookup: the walk behind the CLI's "killed by" and
 * codegen's cycle check (`lineage` walks a manifest on its own, for the gates' bundle). Never loops: a cycle ends the walk and is reported.
 *
 * @example
 * ```ts
 * walkParents('convoys', (key) => manifest.flags[key]?.parent); // { chain: ['convoys', 'gastown'], cycle: null }
 * ```
 */
export function walkParents(flag: string, parentOf: (key: string) => string | null | undefined): ParentChain {
  const chain: string[] = [];
  let current: string | null | undefined = flag;
  while (current !== null && current !== undefined) {
    const seen = chain.indexOf(current);
    if (seen !== -1) return { chain, cycle: [...chain.slice(seen), current] };
    chain.push(current);
    current = parentOf(current);
  }
  return { chain, cycle: null };
}

/**
 * A flag and its ancestors, nearest first: the flags whose kill-switch applies to it. Throws for a
 * manifest the policy could not decide on (a parent that is not a flag, or a cycle); codegen
 * refuses both too, this guards a hand-written manifest.
 *
 * @example
 * ```ts
 * lineage(manifest, 'convoys'); // ['convoys', 'gastown']
 * ```
 */
export function lineage<K extends string>(manifest: Manifest<K>, flag: K): K[] {
  // Its own walk, not walkParents (which the CLI and codegen keep): no callback and no result
  // object, -33 B gzip of a gate's bundle. Same checks in the same order, same messages.
  const chain: string[] = [];
  for (let key: string | null | undefined = flag; key != null; key = manifest.flags[key as K].parent) {
    const seen = chain.indexOf(key);
    if (seen !== -1) throw new FlagstageError('invalid-manifest', `flag "${flag}" has a parent cycle (${[...chain.slice(seen), key].join(' -> ')})`);
    if (!Object.hasOwn(manifest.flags, key)) throw new FlagstageError('invalid-manifest', `flag "${chain.at(-1) ?? key}" names parent "${key}", which is not in the manifest`);
    chain.push(key);
  }
  return chain as K[];
}

/**
 * A flag's ancestors, nearest first (its lineage without itself).
 *
 * @example
 * ```ts
 * ancestors(manifest, 'convoys'); // ['gastown']
 * ```
 */
export function ancestors<K extends string>(manifest: Manifest<K>, flag: K): K[] {
  return lineage(manifest, flag).slice(1);
}
