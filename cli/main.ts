import { codegenCommand } from './commands/codegen';
import { BackendError, UsageError, type CliIO, type Command } from './io';

/** Every command, in the order `flagstage --help` lists them. */
export const commands: readonly Command[] = [codegenCommand];

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `flagstage: typed, staged feature flags

Usage: flagstage <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

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
    io.stderr(`flagstage: unknown command "${name}"; run \`flagstage --help\` for the list\n`);
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
    // parseArgs reports unknown or malformed options with a code; they are user mistakes.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`flagstage: ${(error as Error).message}; run \`flagstage ${name} --help\`\n`);
      return 1;
    }
    io.stderr(`flagstage: ${(error as Error)?.message ?? String(error)}\n`);
    return 2;
  }
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
