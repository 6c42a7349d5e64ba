import { pairBucket } from './hashing';
import { compileAccessor, type Accessor, type IdentityView } from './properties';
import { compareSemver, parseSemver } from './semver';
import type { SegmentCondition, TraitValue } from './types';

/** Decides one condition, rule or segment for one identity. */
export type Matcher = (view: IdentityView) => boolean;

export interface CompiledCondition {
  match: Matcher;
  /** Set for IN conditions so that sibling IN lists on one property can be merged into one set. */
  inList?: { property: string; accessor: Accessor; values: ReadonlySet<string> };
}

const never: Matcher = () => false;

/** Every operator Flagsmith defines; documents naming another one are rejected. */
export const OPERATORS: ReadonlySet<string> = new Set([
  'EQUAL',
  'NOT_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_INCLUSIVE',
  'LESS_THAN',
  'LESS_THAN_INCLUSIVE',
  'CONTAINS',
  'NOT_CONTAINS',
  'REGEX',
  'PERCENTAGE_SPLIT',
  'MODULO',
  'IS_SET',
  'IS_NOT_SET',
  'IN',
]);

/**
 * Compiles one segment condition: parses the condition value once (numbers, regex, IN set, semver)
 * so that matching an identity does no parsing. Semantics are Flagsmith's, including its casts:
 * the condition value is cast to the type of the trait it is compared with.
 *
 * @example
 * ```ts
 * const { match } = compileCondition({ property: 'age', operator: 'GREATER_THAN', value: '18' }, '7', context);
 * match({ identifier: 'u1', key: 'env_u1', traits: { age: 21 } }); // true
 * ```
 */
export function compileCondition(condition: SegmentCondition, segmentKey: string, staticRoot: unknown): CompiledCondition {
  const operator: string = condition.operator;
  const raw: unknown = condition.value;
  const property = typeof condition.property === 'string' ? condition.property : '';

  if (operator === 'PERCENTAGE_SPLIT') return { match: percentageSplit(property, raw, segmentKey, staticRoot) };
  // Every other operator needs a property to read.
  if (property === '') return { match: never };
  const read = compileAccessor(property, staticRoot);

  switch (operator) {
    case 'IS_SET':
      return { match: (view) => read(view) != null };
    case 'IS_NOT_SET':
      return { match: (view) => read(view) == null };
    case 'IN': {
      const values = inValues(raw);
      if (!values) return { match: never };
      return { match: inMatcher(read, values), inList: { property, accessor: read, values } };
    }
    case 'NOT_CONTAINS': {
      if (!raw) return { match: never };
      const needle = String(raw);
      return { match: (view) => { const t = read(view); return typeof t === 'string' && !t.includes(needle); } };
    }
    case 'REGEX':
      return { match: regexMatcher(read, raw) };
    case 'MODULO':
      return { match: moduloMatcher(read, raw) };
    default: {
      const compare = comparison(operator, raw);
      if (!compare) return { match: never };
      return { match: (view) => { const t = read(view); return t != null && compare(t); } };
    }
  }
}

/** `t` is in the set: Flagsmith never matches falsy or boolean traits against an IN list. */
export function inMatcher(read: Accessor, values: ReadonlySet<string>): Matcher {
  return (view) => {
    const t = read(view);
    return !!t && typeof t !== 'boolean' && values.has(String(t));
  };
}

// An IN value is a list, a JSON array string or a comma-separated string. Only string members of a
// JSON array can ever equal the stringified trait, so numbers in `[1, 2]` never match.
export function inValues(raw: unknown): ReadonlySet<string> | null {
  if (Array.isArray(raw)) return new Set(raw.filter((item): item is string => typeof item === 'string'));
  if (typeof raw !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return new Set(parsed.filter((item): item is string => typeof item === 'string'));
  } catch {
    // Not JSON: a comma-separated list.
  }
  return new Set(raw.split(','));
}

function percentageSplit(property: string, raw: unknown, segmentKey: string, staticRoot: unknown): Matcher {
  const threshold = parseFloat(String(raw));
  if (Number.isNaN(threshold) || threshold < 0) return never;
  // Deviation from flagsmith-nodejs, which only reads `$.` paths here: a bare property is a trait
  // name, as it is everywhere else and in Flagsmith's API engine.
  const read: Accessor = property === '' ? (view) => view.key : compileAccessor(property, staticRoot);
  // Buckets are < 100, so a split of 100 or more takes every identity that has a value.
  if (threshold >= 100) return (view) => !!read(view);
  return (view) => {
    const t = read(view);
    return !!t && pairBucket(segmentKey, String(t)) <= threshold;
  };
}

function regexMatcher(read: Accessor, raw: unknown): Matcher {
  if (!raw) return never;
  let pattern: RegExp;
  try {
    pattern = new RegExp(String(raw));
  } catch {
    return never;
  }
  // No flags, so `test` keeps no state between calls.
  return (view) => {
    const t = read(view);
    return t != null && pattern.test(String(t));
  };
}

function moduloMatcher(read: Accessor, raw: unknown): Matcher {
  if (!raw) return never;
  const parts = String(raw).split('|');
  if (parts.length !== 2) return never;
  const divisor = parseFloat(parts[0]!);
  const remainder = parseFloat(parts[1]!);
  if (Number.isNaN(divisor) || Number.isNaN(remainder) || divisor === 0) return never;
  return (view) => {
    const t = read(view);
    if (t == null || typeof t === 'boolean') return false;
    const value = typeof t === 'number' ? t : parseFloat(t);
    return !Number.isNaN(value) && value % divisor === remainder;
  };
}

type Compare = (trait: string | number | boolean) => boolean;

/**
 * EQUAL, NOT_EQUAL, the orderings and CONTAINS. The condition value is cast to the trait's type:
 * parseFloat for numbers, "anything but 'false'/'False'" for booleans, the text for strings. A value
 * ending in `:semver` compares versions instead.
 */
function comparison(operator: string, raw: unknown): Compare | null {
  if (typeof raw === 'string' && raw.endsWith(':semver')) return semverComparison(operator, raw.replace(':semver', ''));
  const text = String(raw);
  const number = parseFloat(text);
  // Only the exact strings are false: a list value (even ['false']) casts to true.
  const bool = !(raw === 'false' || raw === 'False');
  switch (operator) {
    case 'EQUAL':
      return (t) => (typeof t === 'string' ? t === text : typeof t === 'number' ? t === number : t === bool);
    case 'NOT_EQUAL':
      return (t) => (typeof t === 'string' ? t !== text : typeof t === 'number' ? t !== number : t !== bool);
    case 'GREATER_THAN':
      return (t) => (typeof t === 'string' ? t > text : typeof t === 'number' ? t > number : t > bool);
    case 'GREATER_THAN_INCLUSIVE':
      return (t) => (typeof t === 'string' ? t >= text : typeof t === 'number' ? t >= number : t >= bool);
    case 'LESS_THAN':
      return (t) => (typeof t === 'string' ? t < text : typeof t === 'number' ? t < number : t < bool);
    case 'LESS_THAN_INCLUSIVE':
      return (t) => (typeof t === 'string' ? t <= text : typeof t === 'number' ? t <= number : t <= bool);
    case 'CONTAINS':
      // Only strings contain anything; Flagsmith's `includes` fails on numbers and booleans.
      return (t) => typeof t === 'string' && t !== '' && t.includes(text);
    default:
      return null;
  }
}

function semverComparison(operator: string, version: string): Compare | null {
  const expected = parseSemver(version);
  const ordered = (test: (order: number) => boolean): Compare | null => {
    if (!expected) return () => false;
    return (t) => {
      const actual = parseSemver(t);
      return actual !== null && test(compareSemver(actual, expected));
    };
  };
  switch (operator) {
    case 'EQUAL':
      return ordered((order) => order === 0);
    case 'GREATER_THAN':
      return ordered((order) => order > 0);
    case 'GREATER_THAN_INCLUSIVE':
      return ordered((order) => order >= 0);
    case 'LESS_THAN':
      return ordered((order) => order < 0);
    case 'LESS_THAN_INCLUSIVE':
      return ordered((order) => order <= 0);
    case 'NOT_EQUAL':
      // Flagsmith compares NOT_EQUAL as text even for versions, with JavaScript's loose equality.
      return (t) => !looseEquals(version, t);
    case 'CONTAINS':
      return (t) => typeof t === 'string' && t !== '' && t.includes(version);
    default:
      return null;
  }
}

/** `text == t` as JavaScript evaluates it, spelled out. */
function looseEquals(text: string, t: Exclude<TraitValue, null>): boolean {
  if (typeof t === 'string') return text === t;
  return Number(text) === Number(t);
}
