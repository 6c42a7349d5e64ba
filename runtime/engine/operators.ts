import { keyBucket, pairBucket } from './hashing';
import { compileAccessor, type Accessor, type IdentityView } from './properties';
import { compareSemver, parseSemver } from './semver';
import type { SegmentCondition, TraitValue } from './types';

/** Decides one condition, rule or segment for one identity. */
export type Matcher = (view: IdentityView) => boolean;

export interface CompiledCondition {
  match: Matcher;
  /** Set for IN conditions so that sibling IN lists on one property can be merged into one set. */
  inList?: { property: string; accessor: Accessor; ids: IdList };
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
 * match({ identifier: 'u1', key: 'env_u1', keyPrefix: null, traits: { age: 21 } }); // true
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
      const ids = idList(raw);
      if (!ids) return { match: never };
      return { match: inMatcher(read, ids), inList: { property, accessor: read, ids } };
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
export function inMatcher(read: Accessor, ids: IdList): Matcher {
  return (view) => {
    const t = read(view);
    return !!t && typeof t !== 'boolean' && ids.has(String(t));
  };
}

/**
 * The members of one or more IN values, for lookups. A comma-separated list (what Flagsmith and
 * flagstage write) is not split up front: the first lookups scan its text, and only a list that keeps
 * being asked becomes a Set. A cold isolate deciding once pays microseconds for a 5,000-id allowlist
 * instead of building a Set of it; a warm one pays one Set lookup, whatever the list's length.
 */
export interface IdList {
  has(id: string): boolean;
  /** Comma-separated lists only: their texts, so that lists on one property can be merged. */
  readonly texts: readonly string[] | null;
}

/** Lookups answered by scanning the text before the list becomes a Set. */
const SCANS_BEFORE_SET = 32;

/** The IdList of an IN condition's value, or null when it has none. */
export function idList(raw: unknown): IdList | null {
  if (typeof raw === 'string' && !raw.trimStart().startsWith('[')) return commaList([raw]);
  const values = inValues(raw);
  return values && { has: (id) => values.has(id), texts: null };
}

/** The ids of comma-separated `texts` (one list, as if the texts were joined by commas). */
export function commaList(texts: readonly string[]): IdList {
  let scans = 0;
  let set: ReadonlySet<string> | null = null;
  return {
    texts,
    has(id) {
      if (set !== null) return set.has(id);
      if (++scans > SCANS_BEFORE_SET) {
        set = new Set(texts.flatMap((text) => text.split(',')));
        return set.has(id);
      }
      // No piece holds a comma, so an id with one is never a member (and must not match two neighbours).
      if (id.includes(',')) return false;
      for (const text of texts) if (isPiece(text, id)) return true;
      return false;
    },
  };
}

/** Whether `id` is one of the comma-separated pieces of `text`, found in place (no copy of the text). */
function isPiece(text: string, id: string): boolean {
  // An empty piece sits at either end or between two commas (indexOf('') would find it everywhere).
  if (id === '') return text === '' || text.charCodeAt(0) === 0x2c || text.charCodeAt(text.length - 1) === 0x2c || text.includes(',,');
  for (let at = text.indexOf(id); at >= 0; at = text.indexOf(id, at + 1)) {
    const end = at + id.length;
    if ((at === 0 || text.charCodeAt(at - 1) === 0x2c) && (end === text.length || text.charCodeAt(end) === 0x2c)) return true;
  }
  return false;
}

// An IN value is a list, a JSON array string or a comma-separated string. Only string members of a
// JSON array can ever equal the stringified trait, so numbers in `[1, 2]` never match.
export function inValues(raw: unknown): ReadonlySet<string> | null {
  if (Array.isArray(raw)) return new Set(raw.filter((item): item is string => typeof item === 'string'));
  if (typeof raw !== 'string') return null;
  // Only a JSON array changes the reading, and it starts with `[`: skip the (throwing, slow) parse
  // for the usual comma-separated list.
  if (raw.trimStart().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) return new Set(parsed.filter((item): item is string => typeof item === 'string'));
    } catch {
      // Not JSON: a comma-separated list.
    }
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
  if (property === '') return (view) => view.key !== '' && keyBucket(segmentKey, view) <= threshold;
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
