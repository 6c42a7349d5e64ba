/**
 * Thrown by `compileEnvironment` / `environmentToContext` when a document is malformed. The message
 * names the JSON path of the bad field so that a broken document can be fixed at its source.
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
export class EngineDocumentError extends Error {
  /** JSON path of the offending field, e.g. `project.segments[2].rules[0].conditions[1].operator`. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`flagstage: invalid environment document${path ? ` at ${path}` : ''}: ${problem}`);
    this.name = 'EngineDocumentError';
    this.path = path;
  }
}
