/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal: colour and tables for people only then. */
  readonly isTTY: boolean;
}

/** A user mistake: exit 1 with a one-line fix. */
export class UsageError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message.startsWith('flagstage:') ? message : `flagstage: ${message}`);
    this.name = 'UsageError';
  }
}

/** A backend failure: exit 2 with the backend's own message. */
export class BackendError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message.startsWith('flagstage:') ? message : `flagstage: ${message}`);
    this.name = 'BackendError';
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
