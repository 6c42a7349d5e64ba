import type { Manifest } from '../manifest/types';
import type { RolloutDocument } from './document';
import { readRollout } from './read-rollout';
import type { FlagRollout } from './rollout';

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

/**
 * Whether two rollouts are equal (lists are sorted by `readRollout`, so order does not matter).
 *
 * @example
 * ```ts
 * sameRollout(a.gastown, b.gastown); // true when nothing about gastown's rollout changed
 * ```
 */
export function sameRollout(a: FlagRollout, b: FlagRollout): boolean {
  return (
    a.stage === b.stage &&
    a.killed === b.killed &&
    sameList(a.allowlist.users, b.allowlist.users) &&
    sameList(a.allowlist.orgs, b.allowlist.orgs) &&
    a.percentage?.value === b.percentage?.value &&
    a.percentage?.by === b.percentage?.by
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
