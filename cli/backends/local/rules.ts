import type { BucketBy } from '../../../runtime/manifest/types';
import { FLAGSMITH_LIMITS, TRAIT } from '../../../runtime/policy/naming';
import { UsageError } from '../../io';
import type { DocCondition, DocRule } from './document';

/**
 * The segment rules for an allowlist: one ANY rule whose conditions are `user_id IN "a,b"` and
 * `org_id IN "x,y"`, each list split across as many conditions as Flagsmith's 1,000-character value
 * limit needs. Throws a UsageError when an id cannot be written (a comma, or longer than a
 * condition) or when the lists need more than Flagsmith's 100 conditions per segment.
 *
 * An empty allowlist still needs a condition: an ANY rule with no conditions matches everyone in
 * Flagsmith's engine, and a segment with no rules is refused by Flagsmith's API. The placeholder
 * `user_id IN ""` matches nobody, because every identity flagstage evaluates has a non-empty user id.
 *
 * @example
 * ```ts
 * allowlistRules({ users: ['u1', 'u2'], orgs: ['acme'] });
 * // [{ type: 'ANY', rules: [], conditions: [
 * //   { property_: 'user_id', operator: 'IN', value: 'u1,u2' },
 * //   { property_: 'org_id', operator: 'IN', value: 'acme' } ] }]
 * ```
 */
export function allowlistRules(allowlist: { readonly users: readonly string[]; readonly orgs: readonly string[] }): DocRule[] {
  const conditions = [...inConditions(TRAIT.userId, allowlist.users), ...inConditions(TRAIT.orgId, allowlist.orgs)];
  if (conditions.length > FLAGSMITH_LIMITS.conditionsPerSegment) {
    throw new UsageError(
      `the allowlist would need ${conditions.length} segment conditions, more than Flagsmith's ${FLAGSMITH_LIMITS.conditionsPerSegment}; ` +
        'allow an org instead of its users, or move the flag to the percentage stage',
    );
  }
  return [{ type: 'ANY', rules: [], conditions: conditions.length > 0 ? conditions : [EMPTY_ALLOWLIST] }];
}

/** Matches nobody: see allowlistRules. */
export const EMPTY_ALLOWLIST: DocCondition = { property_: TRAIT.userId, operator: 'IN', value: '' };

/**
 * The segment rules for a percentage split: one ALL rule with one PERCENTAGE_SPLIT condition whose
 * property is empty (Flagsmith hashes the identity) for user bucketing, or `org_id` for org bucketing.
 *
 * @example
 * ```ts
 * percentageRules({ value: 10, by: 'org' });
 * // [{ type: 'ALL', rules: [], conditions: [{ property_: 'org_id', operator: 'PERCENTAGE_SPLIT', value: '10' }] }]
 * ```
 */
export function percentageRules(percentage: { readonly value: number; readonly by: BucketBy }): DocRule[] {
  return [
    {
      type: 'ALL',
      rules: [],
      conditions: [{ property_: percentage.by === 'org' ? TRAIT.orgId : '', operator: 'PERCENTAGE_SPLIT', value: String(percentage.value) }],
    },
  ];
}

/**
 * The admins segment's rules: `is_admin EQUAL true`.
 *
 * @example
 * ```ts
 * adminRules(); // [{ type: 'ALL', rules: [], conditions: [{ property_: 'is_admin', operator: 'EQUAL', value: 'true' }] }]
 * ```
 */
export function adminRules(): DocRule[] {
  return [{ type: 'ALL', rules: [], conditions: [{ property_: TRAIT.isAdmin, operator: 'EQUAL', value: 'true' }] }];
}

/** Packs ids into IN conditions of at most 1,000 characters each, in order. */
function inConditions(property: string, ids: readonly string[]): DocCondition[] {
  const limit = FLAGSMITH_LIMITS.conditionValueLength;
  const conditions: DocCondition[] = [];
  let current = '';
  for (const id of ids) {
    if (id.length === 0 || id.includes(',')) {
      throw new UsageError(`cannot allowlist ${JSON.stringify(id)}: Flagsmith's IN lists are comma-separated, so an id may be neither empty nor contain a comma`);
    }
    if (id.length > limit) {
      throw new UsageError(`cannot allowlist an id of ${id.length} characters: a Flagsmith condition value holds at most ${limit}`);
    }
    if (current.length === 0) current = id;
    else if (current.length + 1 + id.length <= limit) current = `${current},${id}`;
    else {
      conditions.push({ property_: property, operator: 'IN', value: current });
      current = id;
    }
  }
  if (current.length > 0) conditions.push({ property_: property, operator: 'IN', value: current });
  return conditions;
}
