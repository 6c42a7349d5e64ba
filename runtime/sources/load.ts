import { EngineDocumentError } from '../engine/index';
import { statedRevision } from '../engine/revision';
import { isObject } from '../engine/records';
import { clipped, problemOf } from '../errors/flagstage-error';
import { held, loadedDocument } from './loaded';
import { SourceError } from './errors';
import { compareRevisions, contentDigest, revisionInstant } from './revision';
import type { LoadedDocument } from './source';

/**
 * Turns raw JSON into a `LoadedDocument`, compiling it only when it is new. Rules, in order:
 * - a document whose revision cannot be compared (no `updated_at`, or not a timestamp) never
 *   replaces one whose revision is a timestamp: it throws `incomparable-revision`;
 * - an older revision throws `older-document`;
 * - the same revision (however spelled) with the same content keeps the document object (so its compiled policy) and only
 *   renews `fetchedAt`; with different content it is adopted (it is what the origin serves now) and
 *   `notice` receives an `unchanged-revision` error, since a cache keyed on the revision would miss it.
 * Throws `invalid-document` (with the JSON path of the bad field) for a document the engine refuses.
 *
 * @example
 * const loaded = await loadDocument(JSON.parse(body), Date.now(), current, errors.report);
 */
export async function loadDocument(
  raw: unknown,
  fetchedAt: number,
  previous: LoadedDocument | null,
  notice?: (error: SourceError) => void,
): Promise<LoadedDocument> {
  // Digests are taken only to compare with a held document, never on a cold load: hashing a large
  // document costs more than everything else a cold isolate does before its first decision.
  if (previous && isObject(raw)) {
    const stated = statedRevision(raw);
    const order = stated === null ? null : compareRevisions(stated, previous.revision);
    if (order === null && revisionInstant(previous.revision) !== null) {
      throw new SourceError(
        'incomparable-revision',
        `ignored an environment document whose revision ${stated === null ? 'is missing (no updated_at)' : `"${clipped(stated, 64)}" is not a timestamp`}: nothing says it is newer than revision ${previous.revision}, which is kept.`,
        { path: '$.updated_at' },
      );
    }
    if ((order ?? 0) < 0) {
      throw new SourceError(
        'older-document',
        `ignored environment document revision ${stated}, older than the revision ${previous.revision} already loaded.`,
      );
    }
    // The same revision (however spelled), or two that are not timestamps: the content decides.
    if (!order) {
      if ((await contentDigest(previous.document)) === (await contentDigest(raw))) return held(previous.document, previous.revision, fetchedAt);
      if (order === 0) {
        notice?.(
          new SourceError(
            'unchanged-revision',
            `the environment document changed under the same revision (${previous.revision}); the new content is used. Whatever writes it should move updated_at with every change.`,
            { path: '$.updated_at' },
          ),
        );
      }
    }
  }
  let loaded: LoadedDocument;
  try {
    loaded = await loadedDocument(raw, fetchedAt);
  } catch (error) {
    // The engine's problem already reads "invalid environment document at <path>: …".
    throw new SourceError('invalid-document', `${error instanceof EngineDocumentError ? '' : 'invalid environment document: '}${problemOf(error)}`, {
      path: (error as { path?: string } | null)?.path,
      cause: error,
    });
  }
  return loaded;
}
