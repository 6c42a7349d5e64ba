/**
 * The part of node-semver (v7, strict mode) that Flagsmith's `:semver` conditions use: parsing a
 * version and comparing two. Invalid versions compare as "no match", as they do in Flagsmith.
 */

/** A parsed version: major, minor and patch, then the prerelease identifiers (numbers where numeric). */
export type SemVer = readonly (string | number)[];

// node-semver's strict FULL: v?, three numbers without leading zeros (0|[1-9]\d*), an optional
// prerelease of dot-separated ids (alphanumeric with a letter or hyphen, or a number), optional build
// metadata. One literal rather than composed from parts: fewer bytes in the bundle.
const FULL =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:\d*[a-zA-Z-][a-zA-Z0-9-]*|0|[1-9]\d*)(?:\.(?:\d*[a-zA-Z-][a-zA-Z0-9-]*|0|[1-9]\d*))*))?(?:\+[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*)?$/;
const DIGITS = /^\d+$/;
const MAX_SAFE = 2 ** 53 - 1; // Number.MAX_SAFE_INTEGER, shorter in the bundle

/**
 * Parses a strict semantic version (`1.2.3`, `v1.2.3-beta.1+build`), or returns null.
 *
 * @example
 * ```ts
 * parseSemver('1.2.3-rc.1'); // [1, 2, 3, 'rc', 1]
 * parseSemver(' 1.2 ');      // null
 * ```
 */
export function parseSemver(version: unknown): SemVer | null {
  const match = typeof version === 'string' && version.length <= 256 /* node-semver's MAX_LENGTH */ ? FULL.exec(version.trim()) : null;
  const core = match ? match.slice(1, 4).map(Number) : [];
  if (!match || core.some((n) => n > MAX_SAFE)) return null;
  return match[4] ? [...core, ...match[4].split('.').map((id) => (DIGITS.test(id) && +id < MAX_SAFE ? +id : id))] : core;
}

/**
 * Orders two versions: negative when `a` is older, 0 when equal (build metadata ignored).
 *
 * @example
 * ```ts
 * compareSemver(parseSemver('1.0.0-alpha')!, parseSemver('1.0.0')!); // -1
 * ```
 */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (let i = 0; ; i++) {
    const left = a[i];
    const right = b[i];
    if (left === right) {
      if (left === undefined) return 0;
    } else if (left === undefined || right === undefined) {
      // A version without a prerelease (ending at 3) is newer than the same version with one; past
      // that, the shorter prerelease is older.
      return (left === undefined) === (i === 3) ? 1 : -1;
    } else {
      return compareIdentifiers(left, right);
    }
  }
}

/** Two different identifiers: numeric ones by value and before the others, which compare as text. */
function compareIdentifiers(a: string | number, b: string | number): number {
  // RegExp#test reads its argument as a string.
  const aNumeric = DIGITS.test(a as string);
  const bNumeric = DIGITS.test(b as string);
  if (aNumeric && bNumeric) [a, b] = [Number(a), Number(b)];
  return a === b ? 0 : aNumeric !== bNumeric ? (aNumeric ? -1 : 1) : a < b ? -1 : 1;
}
