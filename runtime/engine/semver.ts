/**
 * The part of node-semver (v7, strict mode) that Flagsmith's `:semver` conditions use: parsing a
 * version and comparing two. Invalid versions compare as "no match", as they do in Flagsmith.
 */

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly (string | number)[];
}

const NUMERIC = '0|[1-9]\\d*';
const NON_NUMERIC = '\\d*[a-zA-Z-][a-zA-Z0-9-]*';
const PRERELEASE_ID = `(?:${NON_NUMERIC}|${NUMERIC})`;
const FULL = new RegExp(
  `^v?(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})` +
    `(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?` +
    `(?:\\+[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*)?$`,
);
const DIGITS = /^[0-9]+$/;
const MAX_LENGTH = 256;

/**
 * Parses a strict semantic version (`1.2.3`, `v1.2.3-beta.1+build`), or returns null.
 *
 * @example
 * ```ts
 * parseSemver('1.2.3-rc.1'); // { major: 1, minor: 2, patch: 3, prerelease: ['rc', 1] }
 * parseSemver(' 1.2 ');      // null
 * ```
 */
export function parseSemver(version: unknown): SemVer | null {
  if (typeof version !== 'string' || version.length > MAX_LENGTH) return null;
  const match = FULL.exec(version.trim());
  if (!match) return null;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const patch = Number(match[3]);
  if (major > Number.MAX_SAFE_INTEGER || minor > Number.MAX_SAFE_INTEGER || patch > Number.MAX_SAFE_INTEGER) {
    return null;
  }
  const prerelease = match[4]
    ? match[4].split('.').map((id) => {
        if (DIGITS.test(id)) {
          const num = Number(id);
          if (num >= 0 && num < Number.MAX_SAFE_INTEGER) return num;
        }
        return id;
      })
    : [];
  return { major, minor, patch, prerelease };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  const aNumeric = DIGITS.test(String(a));
  const bNumeric = DIGITS.test(String(b));
  let left = a;
  let right = b;
  if (aNumeric && bNumeric) {
    left = Number(a);
    right = Number(b);
  }
  if (left === right) return 0;
  if (aNumeric && !bNumeric) return -1;
  if (bNumeric && !aNumeric) return 1;
  return left < right ? -1 : 1;
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
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  // A version without a prerelease is newer than the same version with one.
  if (a.prerelease.length && !b.prerelease.length) return -1;
  if (!a.prerelease.length && b.prerelease.length) return 1;
  for (let i = 0; ; i++) {
    const left = a.prerelease[i];
    const right = b.prerelease[i];
    if (left === undefined && right === undefined) return 0;
    if (right === undefined) return 1;
    if (left === undefined) return -1;
    if (left !== right) return compareIdentifiers(left, right);
  }
}
