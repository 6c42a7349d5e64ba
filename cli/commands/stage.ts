import { parseArgs } from 'node:util';
import { STAGES, type Stage } from '../../runtime/stages/stages';
import { BACKEND_HELP, CHANGE_HELP, CHANGE_OPTIONS } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { planStage } from '../rollout/plan';
import { suggest } from '../suggest';
import { runChange } from './change';

export const stageCommand: Command = {
  name: 'stage',
  summary: 'move a flag to admin-only, allowlist, percentage or ga (lists and percentage are kept)',
  help: `Usage: flagstage stage <flag> <admin-only|allowlist|percentage|ga> [--force] [options]

Moves a flag between rollout stages without losing its allowlist or percentage:
  admin-only   only admins (the allowlist and percentage overrides are disabled, not deleted)
  allowlist    admins and the allowlisted users and orgs
  percentage   admins, the allowlist and the percentage split (set it first: flagstage percent)
  ga           everyone (the environment default is enabled)
A killed flag keeps its kill-switch on; the new stage takes effect when it is revived.

A sub-flag cannot be raised above admin-only while its parent is admin-only: it could take effect
for nobody but admins. Raise the parent first, or pass --force. Above its parent's stage it is
allowed, with a note: it takes effect only where the parent is allowed.

Options:
  --force           stage a sub-flag even though its parent is admin-only
${CHANGE_HELP}
${BACKEND_HELP}

Example:
  flagstage stage gastown allowlist --reason "beta with design partners"
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: { ...CHANGE_OPTIONS, force: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
    const [flag, stage, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; usage: flagstage stage <flag> <${STAGES.join('|')}>`);
    if (flag === undefined) throw new UsageError(`name a flag and a stage, e.g. \`flagstage stage gastown allowlist\` (stages: ${STAGES.join(', ')}; flags: \`flagstage status\`)`);
    const target = parseStage(stage);
    return runChange(io, values, {
      command: 'stage',
      args,
      flag,
      plan: (state, key) => planStage(state, key, target, { force: values.force }),
    });
  },
};

function parseStage(input: string | undefined): Stage {
  if (input === undefined) throw new UsageError(`name a stage: ${STAGES.join(', ')}`);
  const normalised = input.toLowerCase() === 'admin' ? 'admin-only' : input.toLowerCase();
  const stage = STAGES.find((candidate) => candidate === normalised);
  if (stage) return stage;
  const close = suggest(input, STAGES);
  throw new UsageError(`unknown stage "${input}"; use one of ${STAGES.join(', ')}${close.length > 0 ? ` (did you mean ${close[0]}?)` : ''}`);
}
