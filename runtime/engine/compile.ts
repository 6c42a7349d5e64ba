import { keyBuckets } from './hashing';
import { order, type Matcher } from './operators';
import type { IdentityView } from './properties';
import { put } from './records';
import { compileSegment, identifierList, listOf } from './segments';
import type { EvaluationContext, EvaluationResult, FeatureContext, FlagResult, FlagValue, Metadata, SegmentResult } from './types';

/** A context compiled for repeated evaluation (`evaluateCompiled` gives a whole result). */
export interface CompiledContext {
  /** Which segments the identity is in, resolved: what `evaluateCompiled` builds a whole result from. */
  outcome(identity: IdentityView | null): Outcome;
  /** `evaluateCompiled(this, identity).flags[name]` without building the other flags (undefined for a name it lacks). */
  flag(identity: IdentityView | null, name: string): FlagResult | undefined;
}

interface Split {
  /** The bucket of the feature-state key hashed with the identity key. */
  bucket: (identity: IdentityView) => number;
  /** Each variant's range of buckets [start, limit), with what landing in it gives. */
  ranges: Array<{ start: number; limit: number; value: FlagValue; reason: string; variant: string | null }>;
}

interface CompiledFeature {
  name: string;
  enabled: boolean;
  value: FlagValue;
  metadata: Metadata | undefined;
  split: Split | null;
  /** The result when no split applies (the environment default): the same for every identity. */
  fixed: FlagResult | null;
}

interface CompiledOverride {
  slot: number;
  feature: CompiledFeature;
  priority: number;
  reason: string;
  /** The result when no split applies: the same for every identity. */
  fixed: FlagResult | null;
}

interface CompiledSegment {
  match: Matcher;
  /** What the result lists for this segment: the same for every identity. */
  result: SegmentResult;
  overrides: CompiledOverride[];
}

/**
 * Compiles an evaluation context once (segment matchers, variant ranges, override slots) into an
 * evaluator that does no parsing per identity. `getEvaluationResult` and `compileEnvironment` both
 * evaluate through it, so they cannot disagree.
 *
 * Nothing compiled is handed out mutable: every flag result and matched segment is frozen (those
 * that are the same for every identity are built once and shared), while a result's `flags` record
 * and `segments` list are its own: one call's result can never change another's, and evaluating
 * allocates little more than those two.
 *
 * @example
 * ```ts
 * const compiled = compileContext(context);
 * evaluateCompiled(compiled, { identifier: 'u1', key: 'env_u1', keyPrefix: null, traits: { plan: 'pro' } });
 * ```
 */
export function compileContext(context: EvaluationContext): CompiledContext {
  // Features by slot: two features of one name give the later one, in the earlier one's place.
  const slots = new Map<string, number>();
  const features: CompiledFeature[] = [];
  for (const feature of Object.values(context.features ?? {})) features[slots.get(feature.name) ?? slots.set(feature.name, slots.size).size - 1] = compileFeature(feature);

  // Segment order matters: it is the order of the result's `segments`, and when two segments
  // override one feature with the same priority the first one wins.
  const segments: CompiledSegment[] = [];
  // Identifier-only segments (identity overrides) by identifier; every other segment is evaluated.
  const byIdentifier = new Map<string, number[]>();
  const evaluated: number[] = [];
  for (const segment of Object.values(context.segments ?? {})) {
    const index = segments.length;
    const reason = `TARGETING_MATCH; segment=${segment.name}`;
    const overrides: CompiledOverride[] = [];
    for (const override of listOf(segment.overrides)) {
      const slot = slots.get(override.name);
      // An override of a feature the environment does not have changes no flag.
      if (slot === undefined) continue;
      const feature = compileFeature(override);
      overrides.push({ slot, feature, priority: override.priority ?? Infinity, reason, fixed: fixedFlag(feature, reason) });
    }
    const identifiers = identifierList(segment);
    // A listed segment is found by lookup, never matched: it needs no matcher.
    const match = identifiers ? () => false : compileSegment(segment, context);
    const metadata = frozenCopy(segment.metadata);
    const result = Object.freeze({ name: segment.name, ...(metadata && { metadata }) });
    segments.push({ match, result, overrides });
    if (!identifiers) {
      evaluated.push(index);
      continue;
    }
    for (const identifier of identifiers) {
      const list = byIdentifier.get(identifier);
      if (list) list.push(index);
      else byIdentifier.set(identifier, [index]);
    }
  }
  const slotCount = slots.size;

  // Which segments an identity is in decides every flag but the split ones, so each set of matched
  // segments resolves once (`outcomeOf`) and later identities in the same set copy its result. Sets
  // are keyed by a bit per segment, so documents of up to 31 segments (a policy slice has a few) are
  // cached; wider ones resolve per call. The scratch list is safe to share: evaluating is synchronous
  // and calls no user code.
  const cached = segments.length <= 31;
  const outcomes = new Map<number, Outcome>();
  const hits: number[] = [];

  const outcomeFor = (identity: IdentityView | null): Outcome => {
    let count = 0;
    let mask = 0;
    if (identity) {
      // An empty identifier is in no IN list (Flagsmith never matches a falsy value).
      const listed = identity.identifier === '' || byIdentifier.size === 0 ? NONE : (byIdentifier.get(identity.identifier) ?? NONE);
      let next = 0;
      for (let i = 0; i < evaluated.length; i++) {
        const index = evaluated[i]!;
        // Listed segments join in document order, between the evaluated ones.
        while (next < listed.length && listed[next]! < index) {
          mask |= 1 << listed[next]!;
          hits[count++] = listed[next++]!;
        }
        if (segments[index]!.match(identity)) {
          mask |= 1 << index;
          hits[count++] = index;
        }
      }
      while (next < listed.length) {
        mask |= 1 << listed[next]!;
        hits[count++] = listed[next++]!;
      }
    }
    let outcome = cached ? outcomes.get(mask) : undefined;
    if (outcome === undefined) {
      outcome = outcomeOf(segments, hits, count, features, slotCount);
      // At most 256 sets remembered per compiled document (a set that occurs at all recurs).
      if (cached && outcomes.size < 256) outcomes.set(mask, outcome);
    }
    return outcome;
  };

  return {
    // Not an `evaluate` method: a gate only reads `flag`, and a bundler keeps every method of an
    // object it keeps, so the whole-result builder is `evaluateCompiled`, apart.
    outcome: outcomeFor,
    flag(identity, name) {
      const slot = slots.get(name);
      if (slot === undefined) return undefined;
      const outcome = outcomeFor(identity);
      const fixed = outcome.results[slot];
      if (fixed) return fixed;
      const split = outcome.varying.find((entry) => entry.slot === slot)!;
      return flagOf(split.feature, split.reason, identity);
    },
  };
}

/**
 * The whole result of a compiled context for one identity (`evaluate(null)` is the environment
 * without identity): every flag and the matched segments.
 *
 * @example
 * ```ts
 * evaluateCompiled(compileContext(context), view).flags.gastown?.enabled;
 * ```
 */
export function evaluateCompiled(compiled: CompiledContext, identity: IdentityView | null): EvaluationResult {
  const outcome = compiled.outcome(identity);
  // The copy keeps `__proto__` an own property, so plain assignment below is safe for any name.
  const flags = { ...outcome.flags } as Record<string, FlagResult>;
  for (const { feature, reason } of outcome.varying) flags[feature.name] = flagOf(feature, reason, identity);
  return { flags, segments: outcome.segments.slice() };
}

/** No listed segment. */
const NONE: readonly number[] = [];

/** What being in exactly one set of segments makes of the flags. */
export interface Outcome {
  /** Every flag's result, or null for those split by the identity's key (in `varying`). */
  readonly flags: Readonly<Record<string, FlagResult | null>>;
  /** The matched segments, in document order. */
  readonly segments: readonly SegmentResult[];
  /** The same results by feature slot. */
  readonly results: ReadonlyArray<FlagResult | null>;
  /** The split flags: which feature state (default or override) and reason to allocate per identity. */
  readonly varying: ReadonlyArray<{ slot: number; feature: CompiledFeature; reason: string }>;
}

/** Resolves the first `count` segment indexes in `hits` (ascending): overrides by priority, then each flag. */
function outcomeOf(
  segments: readonly CompiledSegment[],
  hits: readonly number[],
  count: number,
  features: readonly CompiledFeature[],
  slotCount: number,
): Outcome {
  const matched: SegmentResult[] = [];
  let chosen: Chosen | null = null;
  for (let i = 0; i < count; i++) chosen = enter(segments[hits[i]!]!, matched, chosen, slotCount);
  const flags: Record<string, FlagResult | null> = {};
  const results: Array<FlagResult | null> = [];
  const varying: Array<{ slot: number; feature: CompiledFeature; reason: string }> = [];
  for (let slot = 0; slot < slotCount; slot++) {
    const feature = features[slot]!;
    const override = chosen?.[slot];
    put(flags, feature.name, (results[slot] = override ? override.fixed : feature.fixed));
    if (results[slot] === null) varying.push({ slot, feature: override ? override.feature : feature, reason: override ? override.reason : 'DEFAULT' });
  }
  // Copied once here, so that every evaluation copies an object whose properties all sit in the
  // object itself (an object built by assignment keeps later ones in a separate store, slower to copy).
  return { flags: { ...flags }, results, segments: matched, varying };
}

/** The override chosen so far for each feature slot. */
type Chosen = Array<CompiledOverride | undefined>;

/** Records that the identity is in `segment`: lists it and applies its overrides by priority. */
function enter(segment: CompiledSegment, matched: SegmentResult[], chosen: Chosen | null, slotCount: number): Chosen | null {
  matched.push(segment.result);
  for (const override of segment.overrides) {
    chosen ??= new Array<CompiledOverride | undefined>(slotCount);
    const current = chosen[override.slot];
    // Lower priority value wins; on a tie the segment entered first keeps the feature.
    if (current === undefined || override.priority < current.priority) chosen[override.slot] = override;
  }
  return chosen;
}

function flagOf(feature: CompiledFeature, reason: string, identity: IdentityView | null): FlagResult {
  const { name, enabled, metadata, split } = feature;
  let value = feature.value;
  let variant: string | null = null;
  if (split && identity) {
    const bucket = split.bucket(identity);
    // Identities past the last variant's range keep the control value.
    variant = 'control';
    for (const range of split.ranges) {
      if (range.start <= bucket && bucket < range.limit) {
        ({ value, reason, variant } = range);
        break;
      }
    }
  }
  // Frozen like the shared results, so that every flag result behaves alike.
  const result = { name, enabled, value, reason, variant };
  return Object.freeze(metadata ? { ...result, metadata } : result);
}

function compileFeature(feature: FeatureContext): CompiledFeature {
  const compiled: CompiledFeature = {
    name: feature.name,
    enabled: feature.enabled,
    value: feature.value === undefined ? null : feature.value,
    metadata: frozenCopy(feature.metadata),
    split: compileSplit(feature),
    fixed: null,
  };
  compiled.fixed = fixedFlag(compiled, 'DEFAULT');
  return compiled;
}

/** A feature's result when it has no split: built once, frozen, shared by every evaluation. */
function fixedFlag(feature: CompiledFeature, reason: string): FlagResult | null {
  return feature.split ? null : flagOf(feature, reason, null);
}

function compileSplit(feature: FeatureContext): Split | null {
  // Stable sort: variants with equal priority keep their order; no priority sorts last.
  const sorted = [...listOf(feature.variants)].sort((a, b) => order(a.priority ?? Infinity, b.priority ?? Infinity));
  // Ranges accumulate exactly as Flagsmith adds them, so float edges land on the same side.
  let start = 0;
  const ranges = sorted.map(({ weight, value, key }) => ({
    start,
    limit: (start += weight),
    value: value === undefined ? null : value,
    reason: `SPLIT; weight=${weight}`,
    variant: typeof key === 'string' ? key : null,
  }));
  return ranges.length > 0 ? { bucket: keyBuckets(feature.key == null ? '' : String(feature.key)), ranges } : null;
}

/** A deep copy of plain JSON metadata, frozen so that results can share it safely (none unless an object). */
function frozenCopy(value: Metadata | undefined): Metadata | undefined {
  return typeof value === 'object' && value ? (copy(value) as Metadata) : undefined;
}

function copy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.freeze(Array.isArray(value) ? value.map(copy) : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)])));
}
