import type { Manifest } from '../manifest/types';
import type { RolloutDocument } from '../stages/document';
import { readRollout } from '../stages/read';
import { sameRollout, type FlagRollout } from '../stages/rollout';

/** One flag whose stage, kill-switch, allowlist or percentage differs between two revisions. */
export interface RolloutChange<K extends string = string> {
  readonly flag: K;
  readonly before: FlagRollout;
  readonly after: FlagRollout;
}

/**
 * The flags whose rollout differs between two documents, in manifest order. A revision that only
 * touched unrelated features (or a flag's value) yields no change.
 *
 * @example
 * ```ts
 * diffRollouts(manifest, previous.document, next.document);
 * // [{ flag: 'gastown', before: { stage: 'allowlist', … }, after: { stage: 'percentage', … } }]
 * ```
 */
export function diffRollouts<K extends string>(manifest: Manifest<K>, previous: RolloutDocument, next: RolloutDocument): RolloutChange<K>[] {
  const before = readRollout(manifest, previous);
  const after = readRollout(manifest, next);
  const changes: RolloutChange<K>[] = [];
  for (const flag of Object.keys(manifest.flags) as K[]) {
    if (!sameRollout(before[flag], after[flag])) changes.push({ flag, before: before[flag], after: after[flag] });
  }
  return changes;
}
