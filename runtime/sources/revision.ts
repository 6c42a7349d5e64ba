import { sha256Hex } from '../engine/revision';

/**
 * Revisions are Flagsmith's `updated_at` timestamps, compared as instants, not as strings: Flagsmith
 * spells them in more than one way (`2023-07-14 16:12:00.000000` from the SDK test data,
 * `2019-08-27T14:53:45.698555Z`, Python's `+00:00` offsets, any number of fractional digits), and
 * `Date.parse` cannot be trusted with microseconds. Two spellings of one instant are one revision.
 */

/**
 * Negative when `a` is older than `b`, 0 when they are the same instant, positive when newer; null
 * when either is not a timestamp (a `sha256:` content revision, a missing or unparseable
 * `updated_at`), so nothing says which is older.
 *
 * @example
 * compareRevisions('2026-01-01T00:00:00.000001Z', '2026-01-01T00:00:00.000002Z'); // < 0
 * compareRevisions('2023-07-14 16:12:00.000000', '2023-07-14T16:12:00+00:00');   // 0
 * compareRevisions('sha256:ab…', '2026-01-01T00:00:00Z');                          // null
 */
export function compareRevisions(a: string, b: string): number | null {
  const left = revisionInstant(a);
  const right = revisionInstant(b);
  if (left === null || right === null) return a === b ? 0 : null;
  const [seconds, fraction] = left;
  const [otherSeconds, otherFraction] = right;
  // Fractions without trailing zeros compare as text: '5' (.5) > '49' (.49), '' (.0) < '1'.
  return seconds - otherSeconds || (fraction < otherFraction ? -1 : fraction > otherFraction ? 1 : 0);
}

/**
 * An instant with exact sub-second precision: whole seconds since the epoch (UTC), then the
 * fractional second's digits without trailing zeros (`'5'` for .500, `''` for none). A pair rather
 * than an object with named fields: the names would stay in the bundle.
 */
export type RevisionInstant = readonly [seconds: number, fraction: string];

/**
 * The instant a revision names, or null when it is not a timestamp Flagsmith could have written.
 *
 * @example
 * revisionInstant('2026-01-01T01:00:00.1234567890+01:00'); // [1767225600, '123456789']
 */
export function revisionInstant(value: string): RevisionInstant | null {
  // Date, then optional time (T, t or a space), seconds, a fraction of any length (. or ,) and a zone:
  // Z or z (the pattern ignores case: T and Z are its only letters), or an offset as +HH, +HHMM or
  // +HH:MM. No zone means UTC, as Django stores it. (Written here, not as a module constant: one name
  // fewer in the bundle; a document load reads one or two.)
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:z|([+-])(\d{2})(?::?(\d{2}))?)?$/i.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', sign, offsetHours = '0', offsetMinutes = '0'] = match as unknown as string[];
  const time = Date.UTC(+year!, +month! - 1, +day!, +hour, +minute, +second);
  // A field out of range rolls over into the next one (February 30th is March 2nd, 24:00 the next
  // day): only a valid date and time reads back as written.
  if (new Date(time).toISOString().slice(5, 19) !== `${month}-${day}T${hour}:${minute}:${second}` || +offsetHours > 23 || +offsetMinutes > 59) return null;
  return [time / 1000 - (sign === '-' ? -1 : 1) * (+offsetHours * 3600 + +offsetMinutes * 60), fraction.replace(/0+$/, '')];
}

/** Content digests of documents a source holds, taken when first compared, so a refetch is compared without rehashing the held one. */
const digests = new WeakMap<object, string>();

/**
 * A digest of a document's content, its revision left out (so two spellings of one instant with the
 * same content digest the same): detects a document that changed under an unchanged revision. A
 * SHA-256 through WebCrypto (native, so fast on a megabyte of JSON) of its JSON text; JSON.stringify
 * escapes lone surrogates, so the UTF-8 it hashes is exact. Taken once per document object (the raw
 * one's is kept for when it is held).
 *
 * @example
 * await contentDigest({ ...doc, updated_at: 'a' }) === await contentDigest({ ...doc, updated_at: 'b' }); // true
 */
export async function contentDigest(raw: Readonly<Record<string, unknown>>): Promise<string> {
  let digest = digests.get(raw);
  if (digest === undefined) digests.set(raw, (digest = await sha256Hex(JSON.stringify({ ...raw, updated_at: undefined }))));
  return digest;
}
