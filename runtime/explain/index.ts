/**
 * flagstage/explain: why a flag is allowed or denied for an identity. On its own entry point so that
 * a Worker that only gates routes does not bundle the trace builder. Imports no Node built-in.
 */
import type { Flagstage } from '../flagstage';
import type { Identity } from '../identity';
import type { Manifest } from '../manifest/types';
import { buildExplanation } from '../policy/explain';
import type { Explanation } from '../policy/explanation';
import type { DocumentSource, WaitUntil } from '../sources/source';

export type { Explanation, ExplainRule, ExplainStep } from '../policy/explanation';

/**
 * The decision with the trace behind it: each rule in order (parent, admin, kill-switch, backend),
 * the segment that matched, the identity's percentage bucket. Made on the same memoised decision as
 * `flags.decide`, so it can never disagree with it. Throws `unknown-flag` / `invalid-identity` as
 * `decide` does.
 *
 * @example
 * ```ts
 * import { explain } from 'flagstage/explain';
 *
 * const e = await explain(flags, 'gastown', { userId: 'u1', isAdmin: false });
 * e.decision.allowed;  // false
 * e.steps.at(-1);      // { rule: 'backend', outcome: 'deny', detail: 'not enabled for this identity at stage percentage: …' }
 * ```
 */
export async function explain<M extends Manifest, K extends keyof M['flags'] & string>(
  flags: Flagstage<M, DocumentSource>,
  flag: K,
  identity: Identity,
  context?: WaitUntil,
): Promise<Explanation<K>> {
  const memo = await flags.memo(identity, context);
  return buildExplanation(flags.manifest as Manifest<K>, memo as never, flag, identity);
}
