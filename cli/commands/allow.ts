import { parseArgs } from 'node:util';
import { BACKEND_HELP, CHANGE_HELP, CHANGE_OPTIONS } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { planAllow, planDisallow, type Ids } from '../rollout/plan';
import { runChange } from './change';

const OPTIONS = { ...CHANGE_OPTIONS, user: { type: 'string', multiple: true }, org: { type: 'string', multiple: true } } as const;

function listHelp(name: 'allow' | 'disallow'): string {
  const verb = name === 'allow' ? 'Adds users and orgs to' : 'Removes users and orgs from';
  return `Usage: flagstage ${name} <flag> [--user ID]... [--org ID]... [options]

${verb} a flag's allowlist (the flagstage_<feature>_allowlist segment: user_id IN [...] or
org_id IN [...], split across conditions to stay within Flagsmith's 1,000 characters per value and
100 conditions per segment). The allowlist takes effect from stage allowlist up; below it the list
is kept and the command says so.

Options:
  --user ID         a user id (repeat, or separate with commas)
  --org ID          an org id (repeat, or separate with commas)
${CHANGE_HELP}
${BACKEND_HELP}

Example:
  flagstage ${name} gastown --user u_123 --user u_456 --org acme
`;
}

function listCommand(name: 'allow' | 'disallow'): Command {
  return {
    name,
    summary: name === 'allow' ? "add users and orgs to a flag's allowlist" : "remove users and orgs from a flag's allowlist",
    help: listHelp(name),
    async run(args: string[], io: CliIO): Promise<number> {
      const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
      const [flag, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; name users with --user ID and orgs with --org ID`);
      const ids: Ids = { users: split(values.user), orgs: split(values.org) };
      if (ids.users.length === 0 && ids.orgs.length === 0) throw new UsageError(`name at least one --user ID or --org ID to ${name}`);
      return runChange(io, values, {
        command: name,
        args,
        flag,
        plan: (state, key) => (name === 'allow' ? planAllow(state, key, ids) : planDisallow(state, key, ids)),
      });
    },
  };
}

function split(values: readonly string[] | undefined): string[] {
  const ids = (values ?? []).flatMap((value) => value.split(',')).map((id) => id.trim());
  if (ids.some((id) => id === '')) throw new UsageError('an empty id was given; ids are separated by commas or repeated options');
  return [...new Set(ids)];
}

export const allowCommand = listCommand('allow');
export const disallowCommand = listCommand('disallow');
