import { compileContext, evaluateCompiled } from './compile';
import type { EnvironmentDocument } from './document';
import { environmentToContext } from './from-document';
import { toIdentityView, type IdentityInput } from './identity';
import { documentRevision } from './revision';
import type { EvaluationResult } from './types';

/** An environment document compiled once for evaluating many identities. */
export interface CompiledEnvironment {
  /** The document's `updated_at`, or a digest of its content when it has none. */
  readonly revision: string;
  /**
   * The flags and segments of one identity: exactly what `getEvaluationResult` returns for the
   * document's context with this identity. Synchronous, pure, and never throws, whatever the input.
   */
  evaluate(input: IdentityInput): EvaluationResult;
}

/**
 * Validates and compiles an environment document into a pure, synchronous evaluator. Condition
 * values are parsed here (numbers, regexes, IN lists into sets, versions), so evaluating an identity
 * does no parsing and its cost does not grow with the length of an IN list.
 *
 * Throws `EngineDocumentError` (naming the path of the bad field) when the document is malformed.
 *
 * @example
 * ```ts
 * import { compileEnvironment } from 'flagstage/engine';
 * const env = compileEnvironment(await response.json());
 * const { flags } = env.evaluate({ identifier: 'user-1', traits: { user_id: 'user-1', org_id: 'org-9' } });
 * if (flags.gastown?.enabled) { ... }
 * ```
 */
export function compileEnvironment(doc: EnvironmentDocument): CompiledEnvironment {
  const evaluate = evaluatorOf(doc); // validates first: a malformed document throws EngineDocumentError
  return Object.freeze({ revision: documentRevision(doc), evaluate });
}

function evaluatorOf(doc: EnvironmentDocument): CompiledEnvironment['evaluate'] {
  const context = environmentToContext(doc); // validates first: a malformed document throws EngineDocumentError
  const compiled = compileContext(context);
  const environmentKey = context.environment.key;
  return (input: IdentityInput) => evaluateCompiled(compiled, toIdentityView(input, environmentKey));
}
