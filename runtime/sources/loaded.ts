import type { EnvironmentDocument } from '../engine/index';
import { checkEnvironmentFrame } from '../engine/from-document';
import { digestRevision } from '../engine/revision';
import type { LoadedDocument } from './source';

/**
 * A `LoadedDocument`: nothing of it is compiled here. Gates compile one slice per flag they decide
 * (the policy), so a cold isolate pays for the flags it uses, not for every feature and segment of
 * the project. Only the document's frame is checked here (`checkEnvironmentFrame`, constant time);
 * the parts a flag reads are validated when that flag is first decided. Throws `EngineDocumentError`
 * for a malformed frame, synchronously (so `staticSource` fails at startup); the revision of a
 * document without `updated_at` is a SHA-256 of its content through WebCrypto, hence the promise.
 *
 * @example
 * const loaded = await loadedDocument(JSON.parse(body), Date.now());
 * loaded.revision; // its updated_at
 */
export function loadedDocument(raw: unknown, fetchedAt: number): Promise<LoadedDocument> {
  checkEnvironmentFrame(raw);
  return digestRevision(raw).then((revision) => held(raw, revision, fetchedAt));
}

/** A held document as of `fetchedAt`: a refetch keeps the document object, so its compiled policy is kept. */
export function held(document: EnvironmentDocument, revision: string, fetchedAt: number): LoadedDocument {
  return Object.freeze({ revision, document, fetchedAt });
}
