import type { EnvironmentDocument } from '../engine/index';
import type { ErrorHandler } from '../errors/report';
import type { SourceError } from './errors';

/** Lets a source refresh in the background after the response is sent (Workers' `ctx.waitUntil`). */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * A document as the runtime holds it. Sources check only the document's frame; the policy compiles
 * the slice of each flag it decides. The whole-document evaluator is `compileEnvironment(document)`
 * from `flagstage/engine`, off the gate path.
 */
export interface LoadedDocument {
  readonly revision: string;
  readonly document: EnvironmentDocument;
  /** When it was fetched from its origin (ms since epoch). */
  readonly fetchedAt: number;
}

/**
 * Where environment documents come from. `current()` never throws: it returns the best document it
 * has (possibly stale, refreshing in the background through `context.waitUntil`), or null when no
 * document was ever loaded, in which case the policy fails closed to admin-only.
 */
export interface DocumentSource {
  current(context?: WaitUntil): Promise<LoadedDocument | null>;
  /**
   * The document `current()` would answer with, when it is in memory, younger than the freshness
   * window and answering needs no work (no refresh or shared-cache check due); undefined otherwise,
   * and then `current()` is the way. Lets a gate decide without waiting; a throw counts as undefined.
   */
  fresh?(): LoadedDocument | undefined;
  /** Fetches now, bypassing freshness (the webhook calls it). Resolves when done; never throws. */
  refresh?(context?: WaitUntil): Promise<LoadedDocument | null>;
  /** Called with every newly loaded revision (change events hang off this). Returns an unsubscribe. */
  subscribe?(listener: DocumentListener): () => void;
  /**
   * Also hands every error the source reports (a failed refresh, a throwing listener) to `handler`;
   * `createFlagstage({ onError })` subscribes here. Returns an unsubscribe.
   */
  subscribeErrors?(handler: ErrorHandler<SourceError>): () => void;
}

/** Receives each newly loaded revision (never a refetch of the same one); `previous` is null on the first. */
export type DocumentListener = (next: LoadedDocument, previous: LoadedDocument | null) => void;
