import { inValues } from '../engine/operators';
import { FLAGSMITH_LIMITS } from './naming';
import type { Allowlist } from './rollout';

/**
 * What an allowlist may hold. Flagsmith stores a list as the value of an IN condition, and its
 * engine reads that value as a JSON array when it parses as one, else as comma-separated ids; a
 * value holds at most 1,000 characters and a segment at most 100 conditions. An id that breaks
 * these rules would match someone nobody named, or nobody, so it is refused before anything is
 * written (the CLI and the control plane both check here).
 */

/**
 * Why an id cannot go on an allowlist, or null when it can: it must be non-empty, at most 1,000
 * characters, contain no comma, not start a JSON array (`["ceo"]` would be read as the id `ceo`),
 * and read back through the engine as exactly itself.
 *
 * @example
 * ```ts
 * allowlistIdProblem('u-42');     // null
 * allowlistIdProblem('["ceo"]');  // 'an id may not start with "[" …'
 * ```
 */
export function allowlistIdProblem(id: string): string | null {
  if (id.length === 0) return 'an id may not be empty';
  if (id.length > FLAGSMITH_LIMITS.conditionValueLength) {
    return `an id may be at most ${FLAGSMITH_LIMITS.conditionValueLength} characters (a Flagsmith condition value's limit); this one has ${id.length}`;
  }
  if (id.includes(',')) return "an id may not contain a comma (Flagsmith's IN lists are comma-separated)";
  // The condition value starts with the first id of its chunk; one that starts a JSON array would
  // turn the whole value into that array, whatever ids follow.
  if (/^[\s]*\[/.test(id)) return 'an id may not start with "[" (Flagsmith would read the list as a JSON array, not as this id)';
  const read = inValues(id);
  if (read === null || read.size !== 1 || !read.has(id)) return "an id must read back through Flagsmith's IN operator as exactly itself";
  return null;
}

/**
 * The first reason an allowlist cannot be written, naming the id or the limit and what to do
 * instead; null when it fits. Checked before anything is written.
 *
 * @example
 * ```ts
 * allowlistProblem({ users: ['a,b'], orgs: [] }); // 'cannot allowlist user "a,b": an id may not contain a comma …'
 * ```
 */
export function allowlistProblem(allowlist: Allowlist): string | null {
  for (const [kind, ids] of [['user', allowlist.users], ['org', allowlist.orgs]] as const) {
    for (const id of ids) {
      const problem = allowlistIdProblem(id);
      if (problem !== null) return `cannot allowlist ${kind} ${JSON.stringify(id)}: ${problem}`;
    }
  }
  const conditions = packIds(allowlist.users).length + packIds(allowlist.orgs).length;
  if (conditions > FLAGSMITH_LIMITS.conditionsPerSegment) {
    return (
      `the allowlist would need ${conditions} segment conditions for ${allowlist.users.length} users and ${allowlist.orgs.length} orgs, ` +
      `more than Flagsmith's ${FLAGSMITH_LIMITS.conditionsPerSegment} per segment (each holds at most ${FLAGSMITH_LIMITS.conditionValueLength} characters of ids); ` +
      'allow an org instead of its users, or move the flag to the percentage stage'
    );
  }
  return null;
}

/**
 * Packs ids into comma-separated IN values of at most 1,000 characters each, in order.
 *
 * @example
 * ```ts
 * packIds(['u1', 'u2']); // ['u1,u2']
 * ```
 */
export function packIds(ids: readonly string[]): string[] {
  const limit = FLAGSMITH_LIMITS.conditionValueLength;
  const values: string[] = [];
  let current = '';
  for (const id of ids) {
    if (current.length === 0) current = id;
    else if (current.length + 1 + id.length <= limit) current = `${current},${id}`;
    else {
      values.push(current);
      current = id;
    }
  }
  if (current.length > 0) values.push(current);
  return values;
}

