import type { EnvironmentDocument } from '../engine/index';
import { FlagstageError, problemOf } from '../errors/flagstage-error';
import { loadedDocument } from './loaded';
import type { DocumentSource, LoadedDocument } from './source';

/**
 * A source holding one fixed document: for tests, demos, and apps that bundle their document at
 * build time. `staticSource(null)` is a source that never has a document (every decision fails
 * closed to admin-only). A document without the frame of one (no `feature_states` list, …) throws
 * here, at startup; the parts a flag reads are validated when that flag is first decided.
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
  let loaded: Promise<LoadedDocument | null> = Promise.resolve(null);
  if (document !== null) {
    try {
      // The frame is checked here, synchronously; only a content digest (no updated_at) is awaited.
      loaded = loadedDocument(document, Date.now());
    } catch (error) {
      throw new FlagstageError('invalid-document', `staticSource got an invalid environment document: ${problemOf(error)}`, { cause: error });
    }
  }
  // One promise, handed out every time: no allocation and no work per request.
  const current = (): Promise<LoadedDocument | null> => loaded;
  return Object.freeze({ current, refresh: current, subscribe: () => () => undefined });
}
