import { keyBuckets, pairBuckets } from './hashing';
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

/** A test of a trait that is set (not null). */
type Test = (trait: Exclude<TraitValue, null>) => boolean;

export const never: Matcher = () => false;

/**
 * The orderings: what each operator makes of a comparison's sign (negative, 0, positive, or NaN
 * when the two values do not compare, as NaN does with nothing).
 */
const ORDERINGS: Readonly<Record<string, (order: number) => boolean>> = {
  __proto__: null,
  EQUAL: (order: number) => order === 0,
  NOT_EQUAL: (order: number) => order !== 0,
  GREATER_THAN: (order: number) => order > 0,
  GREATER_THAN_INCLUSIVE: (order: number) => order >= 0,
  LESS_THAN: (order: number) => order < 0,
  LESS_THAN_INCLUSIVE: (order: number) => order <= 0,
} as object as Record<string, (order: number) => boolean>;

/** Every operator Flagsmith defines; documents naming another one are rejected. */
export const OPERATORS: ReadonlySet<string> = new Set([
  ...Object.keys(ORDERINGS),
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
  if (operator === 'IN') {
    const ids = idList(raw);
    return ids ? { match: inMatcher(read, ids), inList: { property, accessor: read, ids } } : { match: never };
  }
  if (operator === 'IS_SET') return { match: (view) => read(view) != null };
  if (operator === 'IS_NOT_SET') return { match: (view) => read(view) == null };
  const test = traitTest(operator, raw);
  return {
    match: test
      ? (view) => {
          const t = read(view);
          return t != null && test(t);
        }
      : never,
  };
}

/** `t` is in the set: Flagsmith never matches falsy or boolean traits against an IN list. */
export function inMatcher(read: Accessor, ids: IdList): Matcher {
  return (view) => {
    const t = read(view);
    return !!t && typeof t !== 'boolean' && ids.has(t + '');
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

/**
 * How ids are looked up (warm IN lists here, identity overrides in targeting.ts): in workerd, as own
 * keys of a prototype-free object asked with Object.hasOwn; elsewhere, in a Set or Map. workerd's V8
 * (14.7) internalizes every string a Set or Map is asked about (so is a megamorphic keyed load
 * `object[id]`), and each request's new user id cost ~1k instructions there, a string-table insert,
 * where hasOwn only probes the table: ~800 instructions less a gated request (callgrind, gate bench).
 * Node's V8 (20, 24) internalizes on neither, and there the probe costs +16% instructions per
 * evaluate and slows a 10-entry list (bench/allowlist.ts's header). Same members, same answers: only
 * the lookup differs, and the tests run both (test/engine/id-list.*, engine.workerd.test.ts).
 */
export const IDS_AS_PROPERTIES = typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers';

/** Lookups answered by scanning the text before the list becomes a Set (or, in workerd, an object). */
const SCANS_BEFORE_SET = 32;

/** The IdList of an IN condition's value, or null when it has none. */
export function idList(raw: unknown): IdList | null {
  if (typeof raw === 'string' && !isJsonList(raw)) return commaList([raw]);
  const values = inValues(raw);
  return values && { has: (id) => values.has(id), texts: null };
}

/** The ids of comma-separated `texts` (one list, as if the texts were joined by commas). */
export function commaList(texts: readonly string[]): IdList {
  let scans = 0;
  return {
    texts,
    has(id) {
      // No piece holds a comma, so an id with one is never a member (and must not match two neighbours).
      if (++scans <= SCANS_BEFORE_SET) return !id.includes(',') && texts.some((text) => isPiece(text, id));
      const ids = texts.flatMap((text) => text.split(','));
      // From now on the list is one lookup, small enough for workerd's Maglev to inline into the IN
      // matcher (which only inlines functions under 100 bytes of bytecode; this one is over, a call).
      if (IDS_AS_PROPERTIES) {
        const members: Record<string, true> = Object.create(null);
        for (const member of ids) members[member] = true;
        this.has = (id) => Object.hasOwn(members, id);
      } else {
        const set = new Set(ids);
        this.has = (id) => set.has(id);
      }
      return this.has(id);
    },
  };
}

/** Whether `id` is one of the comma-separated pieces of `text`, found in place (no copy of the text). */
function isPiece(text: string, id: string): boolean {
  // Every place the id sits is checked, an empty id's too (it sits everywhere, the end included: the
  // search stops there, as indexOf past the end would find the end again).
  for (let at = text.indexOf(id); at >= 0; at = at < text.length ? text.indexOf(id, at + 1) : -1) {
    const end = at + id.length;
    if ((at === 0 || text.charCodeAt(at - 1) === 0x2c) && (end === text.length || text.charCodeAt(end) === 0x2c)) return true;
  }
  return false;
}

// Only a JSON array changes the reading of a string, and it starts with `[`: the usual
// comma-separated list skips the (throwing, slow) parse.
const isJsonList = (raw: string): boolean => raw.trimStart()[0] === '[';

// An IN value is a list, a JSON array string or a comma-separated string. Only string members of a
// JSON array can ever equal the stringified trait, so numbers in `[1, 2]` never match.
export function inValues(raw: unknown): ReadonlySet<string> | null {
  let list = raw;
  if (typeof raw === 'string') {
    list = raw.split(',');
    if (isJsonList(raw)) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (Array.isArray(parsed)) list = parsed;
      } catch {
        // Not JSON: a comma-separated list.
      }
    }
  }
  return Array.isArray(list) ? new Set(list.filter((item): item is string => typeof item === 'string')) : null;
}

function percentageSplit(property: string, raw: unknown, segmentKey: string, staticRoot: unknown): Matcher {
  const threshold = parseFloat(String(raw));
  // NaN or negative: nothing is in the split.
  if (!(threshold >= 0)) return never;
  // Deviation from flagsmith-nodejs, which only reads `$.` paths here: a bare property is a trait
  // name, as it is everywhere else and in Flagsmith's API engine.
  const read: Accessor = property === '' ? (view) => view.key : compileAccessor(property, staticRoot);
  // Buckets are < 100, so a split of 100 or more takes every identity that has a value.
  if (threshold >= 100) return (view) => !!read(view);
  if (property === '') {
    // A view's key is never empty (toIdentityView falls back to "<environment key>_<identifier>").
    const bucket = keyBuckets(segmentKey);
    return (view) => bucket(view) <= threshold;
  }
  // A trait's values (an org, a plan, a region) recur across identities, and whether one is in the
  // split depends on nothing else: each short value is hashed once, then remembered (at most 1,024
  // values of up to 64 characters, after which the memory starts over). Identity keys, which
  // rarely recur, are always hashed.
  const bucket = pairBuckets(segmentKey);
  const remembered = new Map<string, boolean>();
  return (view) => {
    const t = read(view);
    if (!t) return false;
    const value = `${t}`;
    let inSplit = remembered.get(value);
    if (inSplit === undefined) {
      inSplit = bucket(value) <= threshold;
      if (remembered.size >= 1024) remembered.clear();
      if (value.length <= 64) remembered.set(value, inSplit);
    }
    return inSplit;
  };
}

/**
 * The test of a set trait for every operator but IN, IS_SET, IS_NOT_SET and PERCENTAGE_SPLIT, or
 * null when nothing can match. EQUAL, NOT_EQUAL, the orderings and CONTAINS cast the condition
 * value to the trait's type: parseFloat for numbers, "anything but 'false'/'False'" for booleans,
 * the text for strings. A value ending in `:semver` compares versions instead.
 */
function traitTest(operator: string, raw: unknown): Test | null {
  const semver = typeof raw === 'string' && raw.endsWith(':semver');
  // The text compared with (a version's without its `:semver`); NOT_CONTAINS, REGEX and MODULO read the value as it is.
  const value = String(raw);
  const text = semver ? raw.replace(':semver', '') : value;
  const holds = ORDERINGS[operator];
  switch (operator) {
    case 'CONTAINS':
      // Only strings contain anything; Flagsmith's `includes` fails on numbers and booleans.
      return (t) => typeof t === 'string' && t !== '' && t.includes(text);
    case 'NOT_CONTAINS':
      return raw ? (t) => typeof t === 'string' && !t.includes(value) : null;
    case 'REGEX':
      return raw ? regexTest(value) : null;
    case 'MODULO':
      return raw ? moduloTest(value) : null;
  }
  if (!holds) return null;
  if (semver) {
    // Flagsmith compares NOT_EQUAL as text even for versions, with JavaScript's loose equality.
    // (`==` between a string and a number or boolean compares Number(text) and Number(t); two strings as text.)
    if (operator === 'NOT_EQUAL') return (t) => text != (t as string);
    const expected = parseSemver(text);
    return (t) => {
      const actual = expected && parseSemver(t);
      return !!actual && holds(compareSemver(actual, expected!));
    };
  }
  const number = parseFloat(text);
  // Only the exact strings are false: a list value (even ['false']) casts to true.
  const bool = !(raw === 'false' || raw === 'False');
  const cast = (t: Exclude<TraitValue, null>): Exclude<TraitValue, null> => (typeof t === 'string' ? text : typeof t === 'number' ? number : bool);
  // Equality, the usual test, needs no ordering (the values have one type): no generic comparison.
  const equal = operator === 'EQUAL';
  if (equal || operator === 'NOT_EQUAL') return (t) => (t === cast(t)) === equal;
  return (t) => holds(order(t, cast(t)));
}

/** The sign of `a` against `b`, NaN when they do not compare. */
export function order<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
}

function regexTest(source: string): Test | null {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source);
  } catch {
    return null;
  }
  // No flags, so `test` keeps no state between calls.
  return (t) => pattern.test(`${t}`);
}

function moduloTest(raw: string): Test | null {
  const parts = raw.split('|');
  const divisor = parseFloat(parts[0]!);
  const remainder = parseFloat(parts[1]!);
  // A divisor of NaN or 0 matches nothing; a trait that is NaN leaves a NaN remainder, which never equals.
  if (parts.length !== 2 || !divisor || Number.isNaN(remainder)) return null;
  return (t) => typeof t !== 'boolean' && (typeof t === 'number' ? t : parseFloat(t)) % divisor === remainder;
}
