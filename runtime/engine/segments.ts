import { commaList, compileCondition, inMatcher, inValues, type CompiledCondition, type IdList, type Matcher } from './operators';
import type { SegmentContext, SegmentRule } from './types';

const always: Matcher = () => true;
const never: Matcher = () => false;

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
  const rules = Array.isArray(segment.rules) ? segment.rules : [];
  if (rules.length === 0) return never;
  const key = segment.key == null ? '' : String(segment.key);
  return quantify('ALL', rules.map((rule) => compileRule(rule, key, staticRoot)));
}

/**
 * The identifiers of a segment that is nothing but "identifier IN [...]" (how identity overrides
 * are expressed), or null. Such segments are found by a map lookup instead of being evaluated one
 * by one, so thousands of overridden identities cost one lookup per evaluation.
 */
export function identifierList(segment: SegmentContext): ReadonlySet<string> | null {
  const rules = Array.isArray(segment.rules) ? segment.rules : [];
  const rule = rules[0];
  if (rules.length !== 1 || !rule || (rule.type !== 'ALL' && rule.type !== 'ANY')) return null;
  if (Array.isArray(rule.rules) && rule.rules.length > 0) return null;
  const conditions = Array.isArray(rule.conditions) ? rule.conditions : [];
  const condition = conditions[0];
  if (conditions.length !== 1 || !condition || condition.operator !== 'IN' || condition.property !== '$.identity.identifier') return null;
  return inValues(condition.value);
}

function compileRule(rule: SegmentRule, segmentKey: string, staticRoot: unknown): Matcher {
  const type: string = rule?.type;
  const conditions = Array.isArray(rule?.conditions) ? rule.conditions : [];
  const subRules = Array.isArray(rule?.rules) ? rule.rules : [];
  const compiled = conditions.map((condition) => compileCondition(condition, segmentKey, staticRoot));
  const conditionsMatch = quantify(type, type === 'ALL' ? compiled.map((c) => c.match) : mergeInLists(compiled));
  const subRulesMatch = quantify(type, subRules.map((sub) => compileRule(sub, segmentKey, staticRoot)));
  if (conditionsMatch === always) return subRulesMatch;
  if (subRulesMatch === always) return conditionsMatch;
  return (view) => conditionsMatch(view) && subRulesMatch(view);
}

/**
 * Under ANY and NONE only "is the trait in any of these lists" matters, so IN conditions on one
 * property become a single list: an allowlist split over many conditions (Flagsmith caps a
 * condition value at 1,000 characters) costs one lookup, not one per condition.
 */
function mergeInLists(compiled: CompiledCondition[]): Matcher[] {
  const merged = new Map<string, CompiledCondition[]>();
  const matchers: Matcher[] = [];
  for (const condition of compiled) {
    if (!condition.inList) {
      matchers.push(condition.match);
      continue;
    }
    const group = merged.get(condition.inList.property);
    if (group) group.push(condition);
    else merged.set(condition.inList.property, [condition]);
  }
  for (const group of merged.values()) {
    const first = group[0]!;
    if (group.length === 1) {
      matchers.push(first.match);
      continue;
    }
    const lists = group.map((condition) => condition.inList!.ids);
    // Comma-separated lists merge into one; any other kind is asked list by list.
    const ids: IdList = lists.every((list) => list.texts !== null)
      ? commaList(lists.flatMap((list) => list.texts!))
      : { texts: null, has: (id) => lists.some((list) => list.has(id)) };
    matchers.push(inMatcher(first.inList!.accessor, ids));
  }
  return matchers;
}

function quantify(type: string, matchers: Matcher[]): Matcher {
  if (matchers.length === 0) return always;
  switch (type) {
    case 'ALL':
      if (matchers.length === 1) return matchers[0]!;
      return (view) => {
        for (const match of matchers) if (!match(view)) return false;
        return true;
      };
    case 'ANY':
      if (matchers.length === 1) return matchers[0]!;
      return (view) => {
        for (const match of matchers) if (match(view)) return true;
        return false;
      };
    case 'NONE':
      return (view) => {
        for (const match of matchers) if (match(view)) return false;
        return true;
      };
    default:
      return never;
  }
}
