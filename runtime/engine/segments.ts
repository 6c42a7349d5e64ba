import { commaList, compileCondition, inMatcher, inValues, never, type IdList, type Matcher } from './operators';
import type { Accessor } from './properties';
import type { SegmentContext, SegmentRule } from './types';

const always: Matcher = () => true;

/** A list field of a context, or none (contexts come from callers too, so nothing is assumed). */
export const listOf = <T>(value: readonly T[] | null | undefined): readonly T[] => (Array.isArray(value) ? value : []);

/**
 * Compiles a segment's rules into one matcher. An identity is in a segment when the segment has at
 * least one rule and every rule matches; a rule matches when its conditions and its sub-rules both
 * satisfy its quantifier (ALL / ANY / NONE; an empty list satisfies any quantifier).
 *
 * @example
 * ```ts
 * const inSegment = compileSegment(context.segments['7'], context);
 * inSegment({ identifier: 'u1', key: 'env_u1', keyPrefix: null, traits: { plan: 'pro' } });
 * ```
 */
export function compileSegment(segment: SegmentContext, staticRoot: unknown): Matcher {
  const rules = listOf(segment.rules);
  const key = segment.key == null ? '' : String(segment.key);
  return rules.length === 0 ? never : quantify('ALL', rules.map((rule) => compileRule(rule, key, staticRoot)));
}

/**
 * The identifiers of a segment that is nothing but "identifier IN [...]" (how identity overrides
 * are expressed), or null. Such segments are found by a map lookup instead of being evaluated one
 * by one, so thousands of overridden identities cost one lookup per evaluation.
 */
export function identifierList(segment: SegmentContext): ReadonlySet<string> | null {
  const rules = listOf(segment.rules);
  const rule = rules[0];
  const conditions = listOf(rule?.conditions);
  const condition = conditions[0];
  return rules.length === 1 &&
    (rule!.type === 'ALL' || rule!.type === 'ANY') &&
    listOf(rule!.rules).length === 0 &&
    conditions.length === 1 &&
    condition?.operator === 'IN' &&
    condition.property === '$.identity.identifier'
    ? inValues(condition.value)
    : null;
}

function compileRule(rule: SegmentRule, segmentKey: string, staticRoot: unknown): Matcher {
  const type: string = rule?.type;
  const compiled = listOf(rule?.conditions).map((condition) => compileCondition(condition, segmentKey, staticRoot));
  // Under ANY and NONE only "is the trait in any of these lists" matters, so IN conditions on one
  // property become a single list: an allowlist split over many conditions (Flagsmith caps a
  // condition value at 1,000 characters) costs one lookup, not one per condition.
  const matchers: Matcher[] = [];
  const lists = new Map<string, { read: Accessor; ids: IdList[] }>();
  for (const { match, inList } of compiled) {
    if (type === 'ALL' || !inList) matchers.push(match);
    else if (lists.has(inList.property)) lists.get(inList.property)!.ids.push(inList.ids);
    else lists.set(inList.property, { read: inList.accessor, ids: [inList.ids] });
  }
  for (const { read, ids } of lists.values()) {
    // Comma-separated lists merge into one; any other kind is asked list by list.
    const merged: IdList =
      ids.length === 1 ? ids[0]! : ids.every((list) => list.texts) ? commaList(ids.flatMap((list) => list.texts!)) : { texts: null, has: (id) => ids.some((list) => list.has(id)) };
    matchers.push(inMatcher(read, merged));
  }
  const conditionsMatch = quantify(type, matchers);
  const subRulesMatch = quantify(type, listOf(rule?.rules).map((sub) => compileRule(sub, segmentKey, staticRoot)));
  if (conditionsMatch === always) return subRulesMatch;
  if (subRulesMatch === always) return conditionsMatch;
  return (view) => conditionsMatch(view) && subRulesMatch(view);
}

function quantify(type: string, matchers: Matcher[]): Matcher {
  if (matchers.length === 0) return always;
  // One function per quantifier, not one shared: each loop's call site then sees fewer matchers.
  if (type !== 'NONE' && matchers.length === 1 && type in QUANTIFIERS) return matchers[0]!;
  return (QUANTIFIERS[type] ?? (() => never))(matchers);
}

const QUANTIFIERS: Readonly<Record<string, (matchers: Matcher[]) => Matcher>> = {
  __proto__: null,
  // Indexed loops, not for-of: workerd runs these in Maglev, where a for-of steps an iterator
  // (ANY over an allowlist's user and org lists: 533 -> 350 instructions a gated request, profile).
  ALL: (matchers: Matcher[]): Matcher => (view) => {
    for (let i = 0; i < matchers.length; ) if (!matchers[i++]!(view)) return false;
    return true;
  },
  ANY: (matchers: Matcher[]): Matcher => (view) => {
    for (let i = 0; i < matchers.length; ) if (matchers[i++]!(view)) return true;
    return false;
  },
  NONE: (matchers: Matcher[]): Matcher => (view) => {
    for (let i = 0; i < matchers.length; ) if (matchers[i++]!(view)) return false;
    return true;
  },
} as object as Record<string, (matchers: Matcher[]) => Matcher>;
