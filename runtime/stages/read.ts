import { inValues } from '../engine/operators';
import { isObject } from '../engine/records';
import type { FlagDefinition, Manifest } from '../manifest/types';
import type { SegmentConditionDocument, SegmentRuleDocument } from '../engine/document';
import type { RolloutDocument } from './document';
import { allowlistSegmentName, percentageSegmentName, TRAIT } from './naming';
import type { Allowlist, FlagRollout, FlagStanding } from './rollout';
import type { Stage } from './stages';

type ReadSegment = NonNullable<NonNullable<RolloutDocument['project']['segments']>[number]>;

/** A flag's rollout plus where it lives in the document (explain's bucket needs the split). */
export interface FlagLayout {
  /** The allowlist is not read here (see `FlagStanding`): `readRollout` reads it, on first use. */
  readonly rollout: FlagStanding;
  readonly feature: string;
  /** The `flagstage_<feature>_allowlist` segment, if any. */
  readonly allowSegment: ReadSegment | undefined;
  /** The `flagstage_<feature>_percentage` segment, if any: its id is the first part of the split hash. */
  readonly percentSegment: ReadSegment | undefined;
  /** Its PERCENTAGE_SPLIT condition, if any (`property_` is the trait it hashes; none = the identity key). */
  readonly split: SegmentConditionDocument | null;
}

/**
 * Reads every flag's rollout from an environment document with the mapping of `naming.ts`: GA is
 * the feature's environment default, percentage and allowlist are the enabled overrides of
 * `flagstage_<feature>_percentage` / `_allowlist`, and `<feature>_kill_switch` enabled (or missing) is a kill.
 * `flagstage status`, change events and the policy all read stages through this one function.
 *
 * @example
 * ```ts
 * const rollout = readRollout(manifest, document);
 * rollout.gastown; // { flag: 'gastown', stage: 'percentage', killed: false, allowlist: { users: ['u1'], orgs: [] }, percentage: { value: 10, by: 'user' } }
 * ```
 */
export function readRollout<K extends string>(manifest: Manifest<K>, document: RolloutDocument): Record<K, FlagRollout> {
  const layouts = readLayouts(manifest, document);
  // Made here, not at module scope: a gate bundles read.ts for readLayouts, and a bundler keeps a
  // top-level Object.freeze call even when nothing reads its result.
  const none: Allowlist = Object.freeze({ users: Object.freeze([]), orgs: Object.freeze([]) });
  const out = {} as Record<K, FlagRollout>;
  for (const key of Object.keys(layouts) as K[]) {
    const {
      rollout: { percentage, ...standing },
      allowSegment,
    } = layouts[key];
    let allowlist: Allowlist | undefined;
    // Read on first use, once (the keys keep their order in JSON).
    out[key] = {
      ...standing,
      get allowlist() {
        return (allowlist ??= allowSegment ? readAllowlist(allowSegment.rules ?? []) : none);
      },
      percentage,
    };
  }
  return out;
}

/**
 * `readRollout` without the allowlists, plus where each flag lives in the document: what the gates'
 * Flagsmith backend and explain's bucket read. Reading (and sorting) the lists is left to
 * `readRollout`, which only status, explain and change events bundle, not the gates.
 *
 * @example
 * ```ts
 * readLayouts(manifest, document).gastown.percentSegment?.id; // 12
 * ```
 */
export function readLayouts<K extends string>(manifest: Manifest<K>, document: RolloutDocument): Record<K, FlagLayout> {
  const defaults = new Map<string, boolean>();
  // Only the manifest's features (and kill-switches) and their segments are read: an unrelated one
  // costs one look at its name, and nothing is allocated for it (indexed loops: a cold isolate runs
  // this unoptimized, where for-of allocates per element, and the GC of that garbage is most of the
  // cost of a large document).
  // One set for the features and the segments: a feature or segment that only bears a name wanted
  // for the other kind lands in a map that is never asked for that name.
  const wanted = new Set<string>();
  for (const { feature, killSwitchFeature } of Object.values<FlagDefinition>(manifest.flags)) {
    // A null kill-switch in the set is never looked up: only names (strings) are.
    wanted.add(feature).add(killSwitchFeature!).add(allowlistSegmentName(feature)).add(percentageSegmentName(feature));
  }
  const states = document.feature_states;
  for (let i = 0; Array.isArray(states) && i < states.length; i++) {
    const state = states[i];
    // Anything but an object reads as no name (a string's .feature is undefined).
    const name = state?.feature?.name;
    if (typeof name === 'string' && wanted.has(name)) defaults.set(name, state!.enabled === true);
  }
  const segments = new Map<string, ReadSegment>();
  const all = document.project?.segments;
  for (let i = 0; Array.isArray(all) && i < all.length; i++) {
    const segment = all[i];
    const name = segment?.name;
    // Flagsmith names are not unique; the first wins, as the CLI never writes two of one name. A
    // name that is not a string (the null of no kill-switch) is never asked for.
    if (wanted.has(name) && !segments.has(name)) segments.set(name, segment!);
  }

  const out = {} as Record<K, FlagLayout>;
  for (const key of Object.keys(manifest.flags) as K[]) {
    const definition = manifest.flags[key];
    const feature = definition.feature;
    const allowSegment = segments.get(allowlistSegmentName(feature));
    const percentSegment = segments.get(percentageSegmentName(feature));
    const split = findSplit(percentSegment?.rules);
    // A number reads back as itself (parseFloat reads it as a string, which round-trips every finite number).
    const percent = parseFloat(split?.value as string);

    const stage: Stage =
      defaults.get(feature) === true
        ? 'ga'
        : overrideEnabled(percentSegment, feature)
          ? 'percentage'
          : overrideEnabled(allowSegment, feature)
            ? 'allowlist'
            : 'admin-only';

    // A document can only close access it cannot read: a kill-switch feature that is gone (deleted in
    // the dashboard, a document written without it) may have been on, so it counts as on.
    const kill = definition.killSwitchFeature;
    const killSwitchMissing = kill !== null && !defaults.has(kill);
    const rollout: FlagStanding = {
      flag: key,
      stage,
      killed: kill !== null && defaults.get(kill) !== false, // on, or missing
      ...(killSwitchMissing ? { killSwitchMissing: true as const } : {}),
      percentage: split ? { value: Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : 0, by: split.property_ === TRAIT.orgId ? 'org' : 'user' } : null,
    };
    out[key] = { rollout, feature, allowSegment, percentSegment, split };
  }
  return out;
}

function overrideEnabled(segment: ReadSegment | undefined, feature: string): boolean {
  return items(segment?.feature_states).some((state) => state.feature?.name === feature && state.enabled === true);
}

function findSplit(rules: readonly SegmentRuleDocument[] | null | undefined): SegmentConditionDocument | null {
  for (const rule of items(rules)) {
    for (const condition of items(rule.conditions)) if (condition.operator === 'PERCENTAGE_SPLIT') return condition;
    const nested = findSplit(rule.rules);
    if (nested) return nested;
  }
  return null;
}

/** Collects `user_id` / `org_id` IN (comma-separated) and EQUAL conditions, however they are nested or split. */
function readAllowlist(rules: readonly SegmentRuleDocument[]): Allowlist {
  const users = new Set<string>();
  const orgs = new Set<string>();
  const visit = (list: readonly SegmentRuleDocument[]) => {
    for (const rule of items(list)) {
      for (const condition of items(rule.conditions)) {
        const target = condition.property_ === TRAIT.userId ? users : condition.property_ === TRAIT.orgId ? orgs : null;
        if (!target || condition.value === null || condition.value === undefined) continue;
        if (condition.operator === 'IN') {
          // Read exactly as the engine reads it, so status shows what actually matches. Empty ids
          // (the `NOBODY_CONDITION`) match nobody and are left out.
          for (const id of inValues(condition.value) ?? []) if (id !== '') target.add(id);
        } else if (condition.operator === 'EQUAL') {
          target.add(String(condition.value));
        }
      }
      visit(items(rule.rules));
    }
  };
  visit(rules);
  return { users: [...users].sort(), orgs: [...orgs].sort() };
}

/**
 * The objects of a list, or none: documents are checked only for their frame before this runs (the
 * engine validates a flag's part when it compiles it), so a malformed entry is skipped, not thrown on.
 */
// An array where an object belongs reads as one without fields either way, so it is skipped too.
function items<T extends object>(value: readonly T[] | null | undefined): T[] {
  return Array.isArray(value) ? (value.filter(isObject) as T[]) : [];
}
