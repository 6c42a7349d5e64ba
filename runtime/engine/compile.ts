import type { IdentityView } from './properties';
import { put } from './records';
import { compileSplit, rangeIndex, type Split } from './split';
import { beats, compileTargeting, type Override } from './targeting';
import type { EvaluationContext, EvaluationResult, FeatureContext, FlagResult, FlagValue, Metadata, SegmentResult } from './types';

/** A context compiled for repeated evaluation (`evaluateCompiled` gives a whole result). */
export interface CompiledContext {
  /** Which segments the identity is in, resolved: what `evaluateCompiled` builds a whole result from. */
  outcome(identity: IdentityView | null): Outcome;
}

interface CompiledFeature {
  name: string;
  enabled: boolean;
  value: FlagValue;
  metadata: Metadata | undefined;
  split: Split | null;
  /** The reason an answer from this feature state carries when no split applies. */
  reason: string;
  /** The result when no split applies: the same for every identity. */
  fixed: FlagResult | null;
}

/**
 * Compiles an evaluation context once (segment matchers, variant ranges, override slots) into an
 * evaluator that does no parsing per identity. `getEvaluationResult` and `compileEnvironment` both
 * evaluate through it, so they cannot disagree; the policy's `compileDecision` shares its targeting.
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
  const targeting = compileTargeting(context, compileFeature);
  const { features, segments, hits } = targeting;
  const results = segments.map(({ context: segment }): SegmentResult => {
    const metadata = frozenCopy(segment.metadata);
    return Object.freeze({ name: segment.name, ...(metadata && { metadata }) });
  });

  // Which segments an identity is in decides every flag but the split ones, so each set of matched
  // segments resolves once (`outcomeOf`) and later identities in the same set copy its result. Sets
  // are keyed by a bit per segment, so documents of up to 31 segments are cached; wider ones resolve
  // per call.
  const cached = segments.length <= 31;
  const outcomes = new Map<number, Outcome>();

  return {
    outcome(identity) {
      const count = identity ? targeting.match(identity) : 0;
      let mask = 0;
      for (let i = 0; i < count; i++) mask |= 1 << hits[i]!;
      let outcome = cached ? outcomes.get(mask) : undefined;
      if (outcome === undefined) {
        // Overrides by priority, then each flag.
        const chosen: Array<Override<CompiledFeature> | undefined> = [];
        const matched: SegmentResult[] = [];
        for (let i = 0; i < count; i++) {
          matched.push(results[hits[i]!]!);
          for (const override of segments[hits[i]!]!.overrides) if (beats(override, chosen[override.slot])) chosen[override.slot] = override;
        }
        const flags: Record<string, FlagResult | null> = {};
        const varying: CompiledFeature[] = [];
        features.forEach((feature, slot) => {
          const state = chosen[slot]?.state ?? feature;
          put(flags, feature.name, state.fixed);
          if (!state.fixed) varying.push(state);
        });
        // Copied once here, so that every evaluation copies an object whose properties all sit in the
        // object itself (an object built by assignment keeps later ones in a separate store, slower to copy).
        outcome = { flags: { ...flags }, segments: matched, varying };
        // At most 256 sets remembered per compiled document (a set that occurs at all recurs).
        if (cached && outcomes.size < 256) outcomes.set(mask, outcome);
      }
      return outcome;
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
  for (const feature of outcome.varying) flags[feature.name] = flagOf(feature, identity);
  return { flags, segments: outcome.segments.slice() };
}

/** What being in exactly one set of segments makes of the flags. */
export interface Outcome {
  /** Every flag's result, or null for those split by the identity's key (in `varying`). */
  readonly flags: Readonly<Record<string, FlagResult | null>>;
  /** The matched segments, in document order. */
  readonly segments: readonly SegmentResult[];
  /** The split flags: which feature state (default or override) to allocate per identity. */
  readonly varying: readonly CompiledFeature[];
}

function flagOf(feature: CompiledFeature, identity: IdentityView | null): FlagResult {
  const { name, enabled, metadata, split } = feature;
  let { value, reason } = feature;
  let variant: string | null = null;
  if (split && identity) {
    // Identities past the last variant's range keep the control value.
    variant = 'control';
    const range = split.ranges[rangeIndex(split, identity)];
    if (range) ({ value, reason, variant } = range);
  }
  // Frozen like the shared results, so that every flag result behaves alike.
  const result = { name, enabled, value, reason, variant };
  return Object.freeze(metadata ? { ...result, metadata } : result);
}

function compileFeature(feature: FeatureContext, reason: string): CompiledFeature {
  const compiled: CompiledFeature = {
    name: feature.name,
    enabled: feature.enabled,
    value: feature.value === undefined ? null : feature.value,
    metadata: frozenCopy(feature.metadata),
    split: compileSplit(feature),
    reason,
    fixed: null,
  };
  // The result when no split applies: built once, frozen, shared by every evaluation.
  compiled.fixed = compiled.split ? null : flagOf(compiled, null);
  return compiled;
}

/** A deep copy of plain JSON metadata, frozen so that results can share it safely (none unless an object). */
function frozenCopy(value: Metadata | undefined): Metadata | undefined {
  return typeof value === 'object' && value ? (copy(value) as Metadata) : undefined;
}

function copy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.freeze(Array.isArray(value) ? value.map(copy) : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)])));
}
