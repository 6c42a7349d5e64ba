import { compileEnvironment, type EnvironmentDocument } from '../engine/index';
import { FlagstageError, problemOf } from '../errors/flagstage-error';
import type { DocumentSource, LoadedDocument } from './source';

/**
 * A source holding one fixed document, compiled once: for tests, demos, and apps that bundle their
 * document at build time. `staticSource(null)` is a source that never has a document (every
 * decision fails closed to admin-only). An invalid document throws here, at startup, not per request.
 *
 * @example
 * ```ts
 * import { createFlagstage, staticSource } from 'flagstage';
 * import doc from './environment.json';
 *
 * const flags = createFlagstage({ manifest, source: staticSource(doc) });
 * ```
 */
export function staticSource(document: EnvironmentDocument | null): DocumentSource {
  let loaded: LoadedDocument | null = null;
  if (document !== null) {
    let compiled: ReturnType<typeof compileEnvironment>;
    try {
      compiled = compileEnvironment(document);
    } catch (error) {
      throw new FlagstageError('invalid-document', `staticSource got an invalid environment document: ${problemOf(error)}`, { cause: error });
    }
    loaded = Object.freeze({ revision: compiled.revision, document, compiled, fetchedAt: Date.now() });
  }
  // One settled promise, handed out every time: no allocation and no work per request.
  const current = Promise.resolve(loaded);
  return Object.freeze({
    current: () => current,
    refresh: () => current,
    subscribe: () => () => undefined,
  });
}
