import { IDS_AS_PROPERTIES, type Matcher } from './operators';
import type { IdentityView } from './properties';
import { compileSegment, identifierList, listOf } from './segments';
import type { EvaluationContext, FeatureContext, SegmentContext } from './types';

/** A segment's override of one feature: `state` is what the caller compiled of the feature state. */
export interface Override<S> {
  readonly slot: number;
  readonly state: S;
  readonly priority: number;
}

/** A compiled segment: the context it came from and its overrides of the context's features. */
export interface TargetedSegment<S> {
  readonly context: SegmentContext;
  readonly overrides: readonly Override<S>[];
}

/**
 * Which segments of a context an identity is in, and what they override: the part of Flagsmith's
 * evaluation that every answer starts from. `compileContext` builds whole results on it and
 * `compileDecision` only a feature's enabled state and reason, so the two cannot disagree on targeting.
 */
export interface Targeting<S> {
  /** Feature slots by name: two features of one name give the later one, in the earlier one's place. */
  readonly slots: ReadonlyMap<string, number>;
  /** Each feature's own (environment default) state, by slot. */
  readonly features: readonly S[];
  /** In document order: the order of a result's `segments`, and of entering them (`beats`). */
  readonly segments: readonly TargetedSegment<S>[];
  /**
   * The segments the identity is in: their indexes, ascending, fill `hits` from 0, and the count is
   * returned. `hits` is scratch, rewritten by the next call: evaluating is synchronous and calls no user code.
   */
  match(identity: IdentityView): number;
  readonly hits: number[];
}

/**
 * Compiles a context's segments (matchers, identifier lookups) and overrides once. `state` compiles a
 * feature state, given the reason an answer from it carries: `DEFAULT` for the environment's, the
 * segment's `TARGETING_MATCH` for an override.
 *
 * @example
 * ```ts
 * const targeting = compileTargeting(context, (feature, reason) => ({ enabled: feature.enabled, reason }));
 * const count = targeting.match(view); // targeting.hits[0 … count - 1]: the segments view is in
 * ```
 */
export function compileTargeting<S>(context: EvaluationContext, state: (feature: FeatureContext, reason: string) => S): Targeting<S> {
  const slots = new Map<string, number>();
  const features: S[] = [];
  for (const feature of Object.values(context.features ?? {})) features[slots.get(feature.name) ?? slots.set(feature.name, slots.size).size - 1] = state(feature, 'DEFAULT');

  const segments: TargetedSegment<S>[] = [];
  // Identifier-only segments (identity overrides) by identifier; every other segment is evaluated.
  // Asked as IN lists are (operators.ts, IDS_AS_PROPERTIES): in workerd a prototype-free object
  // asked with hasOwn, elsewhere the Map itself.
  const byIdentifier = new Map<string, number[]>();
  const evaluated: Array<{ index: number; match: Matcher }> = [];
  for (const segment of Object.values(context.segments ?? {})) {
    const index = segments.length;
    const reason = `TARGETING_MATCH; segment=${segment.name}`;
    const overrides: Override<S>[] = [];
    for (const override of listOf(segment.overrides)) {
      const slot = slots.get(override.name);
      // An override of a feature the environment does not have changes no flag.
      if (slot !== undefined) overrides.push({ slot, state: state(override, reason), priority: override.priority ?? Infinity });
    }
    segments.push({ context: segment, overrides });
    const identifiers = identifierList(segment);
    // A listed segment is found by lookup, never matched.
    if (!identifiers) evaluated.push({ index, match: compileSegment(segment, context) });
    else
      for (const identifier of identifiers) {
        const list = byIdentifier.get(identifier);
        if (list) list.push(index);
        else byIdentifier.set(identifier, [index]);
      }
  }

  const byProperty: Record<string, number[]> | null = IDS_AS_PROPERTIES ? Object.assign(Object.create(null), Object.fromEntries(byIdentifier)) : null;
  const hits: number[] = [];
  return {
    slots,
    features,
    segments,
    hits,
    match(identity) {
      let count = 0;
      // An empty identifier is in no IN list (Flagsmith never matches a falsy value).
      const id = identity.identifier;
      const listed = id === '' || byIdentifier.size === 0 ? NONE : byProperty ? (Object.hasOwn(byProperty, id) ? byProperty[id]! : NONE) : (byIdentifier.get(id) ?? NONE);
      let next = 0;
      for (let i = 0; i < evaluated.length; i++) {
        const { index, match } = evaluated[i]!;
        // Listed segments join in document order, between the evaluated ones.
        while (next < listed.length && listed[next]! < index) hits[count++] = listed[next++]!;
        if (match(identity)) hits[count++] = index;
      }
      while (next < listed.length) hits[count++] = listed[next++]!;
      return count;
    },
  };
}

/**
 * Whether `override` takes its feature from `current`, the override chosen so far from the segments
 * entered before (in document order): a lower priority value wins, and on a tie the first keeps it.
 */
export const beats = <S>(override: Override<S>, current: Override<S> | undefined): boolean => current === undefined || override.priority < current.priority;

/** No listed segment. */
const NONE: readonly number[] = [];
