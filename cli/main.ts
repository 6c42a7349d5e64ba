import { FlagstageError, prefixed, problemOf } from '../runtime/errors/flagstage-error';
import { allowCommand, disallowCommand } from './commands/allow';
import { auditCommand } from './commands/audit';
import { codegenCommand } from './commands/codegen';
import { serveCommand } from './commands/serve';
import { explainCommand } from './commands/explain';
import { historyCommand, rollbackCommand } from './commands/history';
import { killCommand, reviveCommand } from './commands/kill';
import { percentCommand } from './commands/percent';
import { cancelCommand, pauseCommand, planCommand, resumeCommand } from './commands/plan';
import { rampCommand } from './commands/ramp';
import { provisionCommand } from './commands/provision';
import { stageCommand } from './commands/stage';
import { statusCommand } from './commands/status';
import { BackendError, UsageError, type CliIO, type Command } from './io';
import { suggest } from './suggest';

/** Every command, in the order `flagstage --help` lists them. */
export const commands: readonly Command[] = [
  codegenCommand,
  statusCommand,
  stageCommand,
  allowCommand,
  disallowCommand,
  percentCommand,
  killCommand,
  reviveCommand,
  explainCommand,
  auditCommand,
  historyCommand,
  rollbackCommand,
  rampCommand,
  planCommand,
  pauseCommand,
  resumeCommand,
  cancelCommand,
  provisionCommand,
  serveCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `flagstage: typed, staged feature flags

Usage: flagstage <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Backends:
  local       the default: .flagstage/environment.json (a Flagsmith environment document) and
              .flagstage/audit.jsonl beside flags.config.ts; no server, no account
  remote      --backend remote, or when FLAGSTAGE_URL is set: the control plane (flagstage/control,
              or \`flagstage serve\`), with FLAGSTAGE_URL, FLAGSTAGE_TOKEN and --env NAME
  flagsmith   --backend flagsmith, or when FLAGSMITH_ADMIN_API_KEY is set: the Admin API, with
              FLAGSMITH_API_URL, FLAGSMITH_ADMIN_API_KEY, FLAGSMITH_PROJECT_ID, FLAGSMITH_ENVIRONMENT_KEY

Every change takes --reason TEXT and --actor NAME for the audit log; all but codegen take --json.
Exit codes: 0 done, 1 a mistake (the message says the fix, nothing was changed), 2 a backend failure.

Run \`flagstage <command> --help\` for a command's options.
`;
}

/**
 * Runs the CLI with the given arguments and returns the exit code: 0 done, 1 a user mistake
 * (the message says the fix), 2 a backend failure.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview());
    return name === undefined ? 1 : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`${prefixed(unknownCommand(name, rest))}\n`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof BackendError) {
      io.stderr(`${error.message}\n`);
      return error.exitCode;
    }
    // Any other flagstage error (a manifest mistake, an unknown flag) already reads as one line.
    if (error instanceof FlagstageError) {
      io.stderr(`${error.message}\n`);
      return error.code === 'invalid-manifest' || error.code === 'unknown-flag' ? 1 : 2;
    }
    // parseArgs reports unknown or malformed options with a code; they are user mistakes.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`${prefixed(`${parseArgsProblem(error as Error)}; run \`flagstage ${name} --help\``)}\n`);
      return 1;
    }
    io.stderr(`${prefixed(problemOf(error))}\n`);
    return 2;
  }
}

/** What to say about a first argument that is no command: the likely command, or the order. */
function unknownCommand(name: string, rest: readonly string[]): string {
  const names = commands.map((command) => command.name);
  if (name.startsWith('-')) {
    const later = rest.find((arg) => names.includes(arg));
    return later === undefined
      ? `"${name}" is an option; put the command first: flagstage <command> [options] (run \`flagstage --help\` for the commands)`
      : `put the command first: \`flagstage ${later} ${[name, ...rest.filter((arg) => arg !== later)].join(' ')}\``;
  }
  const close = suggest(name, names);
  return `unknown command "${name}"; ${close.length > 0 ? `did you mean \`flagstage ${close[0]}\`? ` : ''}run \`flagstage --help\` for the list`;
}

/** Node's parseArgs messages, shortened to the part a person needs. */
function parseArgsProblem(error: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `Unknown option '${unknown[1]}'`;
  const missing = /Option '([^']+)' argument (missing|is ambiguous)/.exec(error.message);
  if (missing) return `option ${missing[1]?.replace(/^-\w, /, '').replace(/ <value>$/, '')} needs a value`;
  return error.message.split('. ')[0] ?? error.message;
}

function processIO(): CliIO {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stdout.isTTY),
  };
}
