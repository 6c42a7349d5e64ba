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
  if (!path.startsWith('$')) return null;
  const members: string[] = [];
  let i = 1;
  while (i < path.length) {
    const char = path[i];
    if (char === '.') {
      let end = i + 1;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      const name = path.slice(i + 1, end);
      if (name === '' || name === '*') return null;
      members.push(name);
      i = end;
    } else if (char === '[') {
      const quote = path[i + 1];
      if (quote === "'" || quote === '"') {
        const close = path.indexOf(quote + ']', i + 2);
        if (close < 0) return null;
        members.push(path.slice(i + 2, close));
        i = close + 2;
      } else {
        const close = path.indexOf(']', i + 1);
        const index = close < 0 ? '' : path.slice(i + 1, close);
        if (!/^\d+$/.test(index)) return null;
        members.push(index);
        i = close + 1;
      }
    } else {
      return null;
    }
  }
  return members.length > 0 ? members : null;
}

/** Follows member names through plain objects and arrays (own properties only). */
export function resolveMembers(root: unknown, members: readonly string[]): unknown {
  let node = root;
  for (const member of members) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, member)) return undefined;
    node = (node as Record<string, unknown>)[member];
  }
  return node;
}
