import { SourceError, type SourceErrorHandler } from './errors';
import type { DocumentListener, LoadedDocument } from './source';

/** The subscribers of one source: every source announces new revisions the same way. */
export interface DocumentListeners {
  subscribe(listener: DocumentListener): () => void;
  /** Announces a newly accepted document; a refetch of the same content is not news. */
  publish(next: LoadedDocument, previous: LoadedDocument | null): void;
}

/**
 * A set of document listeners. A listener that throws is reported through `report` and never
 * stops the others or the request that loaded the document.
 *
 * @example
 * ```ts
 * const listeners = documentListeners(errors.report);
 * listeners.publish(next, previous);       // in the source, after accepting a document
 * const stop = listeners.subscribe(fn);    // as the source's subscribe()
 * ```
 */
export function documentListeners(report: SourceErrorHandler): DocumentListeners {
  const listeners = new Set<DocumentListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    publish(next, previous) {
      // A refetch keeps the document object; new content (even under an unchanged revision) does not.
      if (previous?.document === next.document) return;
      for (const listener of listeners) {
        try {
          listener(next, previous);
        } catch (error) {
          report(new SourceError('listener', 'a document listener threw.', { cause: error }));
        }
      }
    },
  };
}
