import { compileEnvironment, EngineDocumentError, type EnvironmentDocument } from '../engine/index';
import { SourceError } from './errors';
import { compareRevisions } from './revision';
import type { LoadedDocument } from './source';

/**
 * Turns raw JSON into a `LoadedDocument`, compiling it only when its revision is new: a refetch of
 * the revision already held keeps the compiled evaluator and only renews `fetchedAt`.
 * Throws `invalid-document` (with the JSON path of the bad field) or `older-document`.
 *
 * @example
 * const loaded = loadDocument(JSON.parse(body), Date.now(), current);
 */
export function loadDocument(raw: unknown, fetchedAt: number, previous: LoadedDocument | null): LoadedDocument {
  if (previous && isObject(raw) && raw.updated_at === previous.revision) {
    return { ...previous, fetchedAt };
  }
  let compiled: ReturnType<typeof compileEnvironment>;
  try {
    compiled = compileEnvironment(raw as EnvironmentDocument);
  } catch (error) {
    throw invalid(error);
  }
  if (previous && compareRevisions(compiled.revision, previous.revision) < 0) {
    throw new SourceError(
      'older-document',
      `flagstage: ignored environment document revision ${compiled.revision}, older than the revision ${previous.revision} already loaded.`,
    );
  }
  return { revision: compiled.revision, document: raw as EnvironmentDocument, compiled, fetchedAt };
}

function invalid(error: unknown): SourceError {
  if (error instanceof EngineDocumentError) {
    // The engine's message already reads "flagstage: invalid environment document at <path>: …".
    const path = pathOf(error);
    return new SourceError('invalid-document', error.message, { ...(path !== undefined ? { path } : {}), cause: error });
  }
  const message = error instanceof Error ? strip(error.message) : String(error);
  return new SourceError('invalid-document', `flagstage: invalid environment document: ${message}`, { cause: error });
}

function pathOf(error: Error): string | undefined {
  const own = (error as { path?: unknown }).path;
  return typeof own === 'string' ? own : undefined;
}

function strip(message: string): string {
  return message.replace(/^flagstage:\s*/, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
