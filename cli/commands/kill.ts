import { parseArgs } from 'node:util';
import { BACKEND_HELP, CHANGE_HELP, CHANGE_OPTIONS } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { planKill } from '../rollout/plan';
import { runChange } from './change';

function switchCommand(name: 'kill' | 'revive'): Command {
  const killed = name === 'kill';
  return {
    name,
    summary: killed ? 'turn the kill-switch on: back to admin-only for new access' : 'turn the kill-switch off: back to the exact stage before the kill',
    help: `Usage: flagstage ${name} <flag> [options]

${
  killed
    ? `Turns the flag's kill-switch on (the <feature>_kill_switch feature's default): at any stage,
everyone but admins is denied new access at once, sub-flags included. Work already running can
continue on a signed grant. The stage, allowlist and percentage are left untouched.`
    : `Turns the flag's kill-switch off. Nothing else was touched by the kill, so the flag is back at
exactly the stage, allowlist and percentage it had.`
}
Only flags with their own kill-switch can be ${killed ? 'killed' : 'revived'}; a sub-flag is ${killed ? 'killed' : 'revived'} with its parent.

Options:
${CHANGE_HELP}
${BACKEND_HELP}

Example:
  flagstage ${name} gastown --reason "${killed ? 'dispatch errors spiking' : 'fix deployed'}"
`,
    async run(args: string[], io: CliIO): Promise<number> {
      const { values, positionals } = parseArgs({ args, options: CHANGE_OPTIONS, allowPositionals: true, strict: true });
      const [flag, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; usage: flagstage ${name} <flag>`);
      return runChange(io, values, { command: name, args, flag, plan: (state, key) => planKill(state, key, killed) });
    },
  };
}

export const killCommand = switchCommand('kill');
export const reviveCommand = switchCommand('revive');
