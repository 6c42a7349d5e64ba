import { z } from 'zod';
import type { FlagDefinition, Manifest } from '../runtime/manifest/types';
import { walkParents } from '../runtime/stages/parents';
import { ManifestError } from './errors';
import type { RawManifest } from './read-config';

const KEY = /^[a-z][a-zA-Z0-9]*$/;
const FEATURE = /^[a-z][a-z0-9_]*$/;

const flagSchema = z.strictObject({
  description: z.string().trim().min(1, 'needs a non-empty description'),
  parent: z.string().optional(),
  killSwitch: z.boolean().optional(),
  bucketBy: z.enum(['user', 'org']).optional(),
  feature: z.string().regex(FEATURE, 'must be snake_case: lowercase letters, digits and underscores, starting with a letter').max(150).optional(),
  owner: z.string().trim().min(1, 'must not be empty; remove it or name the owner').optional(),
  expires: z.string().refine(isCalendarDate, 'must be a real date written YYYY-MM-DD, e.g. "2027-01-31"').optional(),
});

/** `2027-01-31`, but not `2027-1-31` or `2027-02-30`. */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** `prMerge` -> `pr_merge`: the default Flagsmith feature name of a flag. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/**
 * Validates the raw manifest and applies defaults. The first mistake is thrown as a one-line
 * ManifestError naming the file, line, flag and fix.
 *
 * @example
 * ```ts
 * const manifest = validateManifest(readConfig(path, text, 'flags.config.ts'));
 * ```
 */
export function validateManifest(raw: RawManifest): Manifest {
  const { file } = raw;
  const keys = Object.keys(raw.flags);
  if (keys.length === 0) throw new ManifestError(file, null, null, 'declares no flags; add one: defineFlags({ myFlag: { description: "..." } })');

  const parsed = new Map<string, z.infer<typeof flagSchema>>();
  for (const key of keys) {
    const line = raw.lines[key] ?? null;
    if (!KEY.test(key)) {
      throw new ManifestError(file, line, key, `is not a valid key; use camelCase letters and digits starting with a lowercase letter, e.g. "${suggestKey(key)}"`);
    }
    const object = raw.flags[key]!;
    const result = flagSchema.safeParse(object.value);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = issue.path.length > 0 ? String(issue.path[0]) : (issue as { keys?: string[] }).keys?.[0];
      const fieldLine = (field ? object.lines[field] : undefined) ?? line;
      throw new ManifestError(file, fieldLine, key, describeIssue(issue));
    }
    parsed.set(key, result.data);
  }

  // Parents exist and form no cycle.
  for (const [key, input] of parsed) {
    if (input.parent === undefined) continue;
    const lineOf = raw.flags[key]!.lines.parent ?? raw.lines[key] ?? null;
    if (input.parent === key) throw new ManifestError(file, lineOf, key, 'is its own parent; remove `parent` or name another flag');
    if (!parsed.has(input.parent)) {
      const others = keys.filter((k) => k !== key);
      throw new ManifestError(file, lineOf, key, `parent "${input.parent}" is not a flag in this manifest; use one of: ${others.join(', ') || '(none)'}`);
    }
  }
  for (const key of keys) {
    const { cycle } = walkParents(key, (flag) => parsed.get(flag)?.parent);
    if (cycle !== null) {
      throw new ManifestError(file, raw.flags[key]!.lines.parent ?? raw.lines[key] ?? null, key, `parent cycle ${cycle.join(' -> ')}; remove one of these parents`);
    }
  }

  // Resolve inherited bucketing top-down; a sub-flag may not bucket differently from its parent,
  // or its percentage could admit users whose parent bucket excludes them.
  const bucketOf = (key: string): 'user' | 'org' => {
    const input = parsed.get(key)!;
    if (input.parent === undefined) return input.bucketBy ?? 'user';
    const parentBucket = bucketOf(input.parent);
    if (input.bucketBy !== undefined && input.bucketBy !== parentBucket) {
      throw new ManifestError(
        file,
        raw.flags[key]!.lines.bucketBy ?? raw.lines[key] ?? null,
        key,
        `bucketBy "${input.bucketBy}" conflicts with its parent "${input.parent}", which buckets by "${parentBucket}"; remove bucketBy here or change the parent's`,
      );
    }
    return parentBucket;
  };

  const definitions: Record<string, FlagDefinition> = {};
  const featureOwners = new Map<string, string>();
  const claim = (name: string, key: string, what: string, line: number | null) => {
    const owner = featureOwners.get(name);
    if (owner !== undefined) {
      throw new ManifestError(file, line, key, `${what} "${name}" is already used by ${owner}; give this flag a unique \`feature\` name`);
    }
    featureOwners.set(name, `flag "${key}"${what === 'kill-switch feature' ? "'s kill-switch" : ''}`);
  };
  for (const key of keys) {
    const input = parsed.get(key)!;
    const feature = input.feature ?? snakeCase(key);
    const killSwitch = input.killSwitch ?? input.parent === undefined;
    const line = raw.flags[key]!.lines.feature ?? raw.lines[key] ?? null;
    claim(feature, key, 'Flagsmith feature', line);
    const killSwitchFeature = killSwitch ? `${feature}_kill_switch` : null;
    if (killSwitchFeature) claim(killSwitchFeature, key, 'kill-switch feature', line);
    definitions[key] = {
      key,
      description: input.description,
      parent: input.parent ?? null,
      killSwitch,
      bucketBy: bucketOf(key),
      feature,
      killSwitchFeature,
      owner: input.owner ?? null,
      expires: input.expires ?? null,
    };
  }
  // The author's order is kept: it is the order people read in status and the generated file.
  return { flags: definitions };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; allowed: description, parent, killSwitch, bucketBy, feature, owner, expires`;
  }
  const field = issue.path.join('.');
  if (issue.code === 'invalid_type' && issue.input === undefined) return `\`${field}\` is required`;
  if (issue.code === 'invalid_value') return `\`${field}\` must be one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
  return `\`${field}\`: ${issue.message}`;
}

function suggestKey(key: string): string {
  const parts = key.split(/[^a-zA-Z0-9]+/).filter(Boolean);
  const camel = parts.map((part, index) => (index === 0 ? part.charAt(0).toLowerCase() + part.slice(1) : part.charAt(0).toUpperCase() + part.slice(1))).join('');
  return /^[a-z]/.test(camel) ? camel : `flag${camel.charAt(0).toUpperCase()}${camel.slice(1)}`;
}
