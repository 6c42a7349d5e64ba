import { FlagstageError } from '../runtime/errors/flagstage-error';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal: colour and tables for people only then. */
  readonly isTTY: boolean;
}

/** A user mistake (code `usage`): exit 1 with a one-line fix. */
export class UsageError extends FlagstageError<'usage'> {
  override name = 'UsageError';
  readonly exitCode = 1;
  constructor(problem: string, options: { readonly cause?: unknown } = {}) {
    super('usage', problem, options);
  }
}

/** A backend failure (code `backend`): exit 2 with the backend's own message. */
export class BackendError extends FlagstageError<'backend'> {
  override name = 'BackendError';
  readonly exitCode = 2;
  constructor(problem: string, options: { readonly cause?: unknown } = {}) {
    super('backend', problem, options);
  }
}

/** One `flagstage <name>` command. */
export interface Command {
  readonly name: string;
  /** One line for `flagstage --help`. */
  readonly summary: string;
  /** The full text of `flagstage <name> --help`. */
  readonly help: string;
  run(args: string[], io: CliIO): Promise<number>;
}
