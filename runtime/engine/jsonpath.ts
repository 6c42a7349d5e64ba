/**
 * The JSONPath subset that segment conditions use to name context values: `$.a.b`, `$['a']`,
 * `$["a"]` and `$.a[0]`. Wildcards, filters and recursive descent are not values a condition can
 * compare against, so such paths resolve to nothing (and the property falls back to a trait name).
 */

/**
 * Splits a `$.`-path into its member names, or returns null when it is not a plain member path.
 *
 * @example
 * ```ts
 * parseJsonPath("$.identity.traits['plan']"); // ['identity', 'traits', 'plan']
 * parseJsonPath('$..name');                  // null
 * ```
 */
export function parseJsonPath(path: string): string[] | null {
  if (path[0] !== '$') return null;
  const members: string[] = [];
  for (MEMBER.lastIndex = 1; MEMBER.lastIndex < path.length; ) {
    const match = MEMBER.exec(path);
    const name = match?.[1] ?? match?.[2] ?? match?.[3] ?? match?.[4];
    // A dotted member is a name up to the next `.` or `[`: not empty, not a wildcard.
    if (name === undefined || (match![1] !== undefined && (name === '' || name === '*'))) return null;
    members.push(name);
  }
  return members.length ? members : null;
}

/** One member: `.name`, `['name']`, `["name"]` (up to the first closing quote and bracket) or `[0]`. */
const MEMBER = /\.([^.[]*)|\[(?:'([^]*?)'|"([^]*?)"|(\d+))\]/y;

/** Follows member names through plain objects and arrays (own properties only). */
export function resolveMembers(root: unknown, members: readonly string[]): unknown {
  let node = root;
  for (const member of members) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, member)) return undefined;
    node = (node as Record<string, unknown>)[member];
  }
  return node;
}
