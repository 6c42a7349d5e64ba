import type { StagedRule } from '../../../runtime/stages/document';
import type { ApiRule } from './api-types';

/**
 * Document rules (`property_`) as the Admin API takes them (`property`). An empty property (the
 * percentage split hashing the identity) is sent as null, which is how Flagsmith stores "none".
 *
 * @example
 * ```ts
 * toApiRules(percentageRules({ value: 10, by: 'user' }));
 * // [{ type: 'ALL', rules: [], conditions: [{ operator: 'PERCENTAGE_SPLIT', property: null, value: '10' }] }]
 * ```
 */
export function toApiRules(rules: readonly StagedRule[]): ApiRule[] {
  return rules.map((rule) => ({
    type: rule.type,
    rules: toApiRules(rule.rules),
    conditions: rule.conditions.map((condition) => ({ operator: condition.operator, property: condition.property_ === '' ? null : condition.property_, value: condition.value })),
  }));
}

/**
 * Whether two rule trees say the same thing, ignoring ids and the null/'' difference Flagsmith
 * makes between an absent and an empty property or value.
 *
 * @example
 * ```ts
 * sameRules(segment.rules, toApiRules(allowlistRules(list))); // false: PUT the segment
 * ```
 */
export function sameRules(a: readonly ApiRule[], b: readonly ApiRule[]): boolean {
  return JSON.stringify(a.map(normal)) === JSON.stringify(b.map(normal));
}

function normal(rule: ApiRule): unknown {
  return {
    type: rule.type,
    rules: (rule.rules ?? []).map(normal),
    conditions: (rule.conditions ?? []).map((condition) => [condition.operator, condition.property ?? '', condition.value ?? '']),
  };
}
