import { compileContext, evaluateCompiled } from './compile';
import { toIdentityView } from './identity';
import type { EvaluationContext, EvaluationResult } from './types';

/**
 * Evaluates an evaluation context as Flagsmith's engine does: which segments the identity is in,
 * and every feature's enabled state, value, reason and variant after segment overrides (lowest
 * priority value wins) and multivariate allocation. Without an identity, every feature is its
 * environment default and no segment matches.
 *
 * This compiles the context on every call; to evaluate many identities against one environment
 * document, use `compileEnvironment` (same results, no per-call compilation).
 *
 * @example
 * ```ts
 * import { getEvaluationResult } from 'flagstage/engine';
 * const result = getEvaluationResult({
 *   environment: { key: 'env', name: 'Production' },
 *   identity: { identifier: 'user-1', traits: { plan: 'pro' } },
 *   features: { beta: { key: '1', name: 'beta', enabled: false, value: null } },
 *   segments: {},
 * });
 * result.flags.beta; // { name: 'beta', enabled: false, value: null, reason: 'DEFAULT', variant: null }
 * ```
 */
export function getEvaluationResult(context: EvaluationContext): EvaluationResult {
  const identity = context.identity ? toIdentityView(context.identity, String(context.environment?.key)) : null;
  return evaluateCompiled(compileContext(context), identity);
}
