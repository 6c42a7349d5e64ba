import type { FlagDefinition, Manifest } from '../runtime/manifest/types';

/** What changed between the manifest a generated file holds and the current one. */
export interface ManifestDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: Array<{ readonly flag: string; readonly fields: string[] }>;
}

/**
 * Compares two manifests flag by flag.
 *
 * @example
 * ```ts
 * const { added, removed, changed } = diffManifests(generated, current);
 * ```
 */
export function diffManifests(before: Manifest, after: Manifest): ManifestDiff {
  const beforeFlags = before.flags as Record<string, FlagDefinition>;
  const afterFlags = after.flags as Record<string, FlagDefinition>;
  const added = Object.keys(afterFlags).filter((key) => !(key in beforeFlags));
  const removed = Object.keys(beforeFlags).filter((key) => !(key in afterFlags));
  const changed: Array<{ flag: string; fields: string[] }> = [];
  for (const key of Object.keys(afterFlags)) {
    const old = beforeFlags[key];
    if (!old) continue;
    const now = afterFlags[key]!;
    const fields = (Object.keys(now) as Array<keyof FlagDefinition>).filter((field) => old[field] !== now[field]);
    if (fields.length > 0) changed.push({ flag: key, fields });
  }
  return { added, removed, changed };
}

/** One short line per kind of change, e.g. `added: billing; changed: convoys (parent)`. */
export function describeDiff(diff: ManifestDiff): string {
  const parts: string[] = [];
  if (diff.added.length) parts.push(`added: ${diff.added.join(', ')}`);
  if (diff.removed.length) parts.push(`removed: ${diff.removed.join(', ')}`);
  if (diff.changed.length) parts.push(`changed: ${diff.changed.map((c) => `${c.flag} (${c.fields.join(', ')})`).join(', ')}`);
  return parts.join('; ') || 'formatting or header differs';
}
