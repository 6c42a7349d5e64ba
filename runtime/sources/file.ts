/**
 * Node only: imports `node:fs`, so it is not part of the edge entry `flagstage`.
 */
import { readFile, stat } from 'node:fs/promises';
import { errorReporter, type ErrorHandler } from '../errors/report';
import { SourceError, type SourceErrorHandler } from './errors';
import { loadDocument } from './load';
import type { DocumentListener, DocumentSource, LoadedDocument } from './source';
import { documentListeners } from './listeners';

export interface FileSourceOptions {
  /** How often, at most, the file's mtime is checked. Default: 1,000 ms. */
  readonly pollMs?: number;
  /**
   * Receives read and validation failures (reported once per distinct failure). Default: none of
   * its own; they go to `createFlagstage({ onError })`, or to `console.warn` when nobody listens.
   */
  readonly onError?: SourceErrorHandler;
  /** The clock (ms since epoch); injectable for tests. */
  readonly now?: () => number;
}

/** A `DocumentSource` reading an environment document file, the embedded backend's default. */
export interface FileSource extends DocumentSource {
  /** Checks the file now, whatever `pollMs` says. */
  refresh(): Promise<LoadedDocument | null>;
  subscribe(listener: DocumentListener): () => void;
  subscribeErrors(handler: ErrorHandler<SourceError>): () => void;
}

/**
 * Serves the environment document in a file (the format of Flagsmith's environment document
 * endpoint) and picks up a new revision when the file changes: its mtime is checked at most every
 * `pollMs`, and it is re-read only when the mtime or size moved. A revision is its `updated_at`,
 * which the CLI bumps on every change; an invalid or older document is reported and ignored.
 *
 * @example
 * import { fileSource } from 'flagstage/file';
 * const flags = createFlagstage({ manifest, source: fileSource('.flagstage/environment.json') });
 */
export function fileSource(path: string, options: FileSourceOptions = {}): FileSource {
  const pollMs = options.pollMs ?? 1_000;
  const now = options.now ?? Date.now;
  const errors = errorReporter(options.onError);
  const listeners = documentListeners(errors.report);
  let memory: LoadedDocument | null = null;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let seen: { mtimeMs: number; size: number } | null = null;
  let checking: Promise<void> | null = null;
  let lastProblem: string | null = null;

  function problem(error: SourceError): void {
    // A missing or broken file stays broken for many checks: say so once, not every second.
    const signature = `${error.code}:${error.message}`;
    if (signature === lastProblem) return;
    lastProblem = signature;
    errors.report(error);
  }

  async function check(): Promise<void> {
    checkedAt = now();
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      problem(new SourceError('file', `cannot read the environment document file ${path} (${code(error)}).`, { cause: error }));
      return;
    }
    if (seen && seen.mtimeMs === info.mtimeMs && seen.size === info.size) return;
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      const parse = error instanceof SyntaxError;
      problem(
        new SourceError(
          parse ? 'invalid-json' : 'file',
          parse
            ? `the environment document file ${path} is not valid JSON.`
            : `cannot read the environment document file ${path} (${code(error)}).`,
          { cause: error },
        ),
      );
      return;
    }
    seen = { mtimeMs: info.mtimeMs, size: info.size };
    let next: LoadedDocument;
    try {
      next = await loadDocument(raw, now(), memory, problem);
    } catch (error) {
      problem(error instanceof SourceError ? error : new SourceError('invalid-document', String(error), { cause: error }));
      return;
    }
    lastProblem = null;
    const previous = memory;
    memory = next;
    listeners.publish(next, previous);
  }

  function run(): Promise<void> {
    checking ??= check().finally(() => {
      checking = null;
    });
    return checking;
  }

  return {
    async current() {
      if (now() - checkedAt >= pollMs) await run();
      return memory;
    },
    async refresh() {
      await run();
      return memory;
    },
    subscribe: listeners.subscribe,
    subscribeErrors: errors.subscribe,
  };
}

function code(error: unknown): string {
  const value = error && typeof error === 'object' && 'code' in error ? (error as { code: unknown }).code : undefined;
  return typeof value === 'string' ? value : error instanceof Error ? error.message : String(error);
}
