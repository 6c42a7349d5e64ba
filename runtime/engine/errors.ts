import { FlagstageError } from '../errors/flagstage-error';

/**
 * Thrown by `compileEnvironment` / `environmentToContext` when a document is malformed (code
 * `invalid-document`). The message names the JSON path of the bad field so that a broken document
 * can be fixed at its source.
 *
 * @example
 * ```ts
 * try {
 *   compileEnvironment(doc);
 * } catch (error) {
 *   if (error instanceof EngineDocumentError) console.error(error.path, error.message);
 * }
 * ```
 */
export class EngineDocumentError extends FlagstageError<'invalid-document'> {
  override name = 'EngineDocumentError';
  /** JSON path of the offending field, e.g. `project.segments[2].rules[0].conditions[1].operator`. */
  declare readonly path: string; // assigned by the constructor (see FlagstageError)

  constructor(path: string, problem: string) {
    super('invalid-document', `invalid environment document${path ? ` at ${path}` : ''}: ${problem}`);
    this.path = path;
  }
}
