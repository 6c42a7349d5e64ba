import { parseArgs } from 'node:util';
import type { Backend } from '../backend';
import { BACKEND_HELP, BACKEND_OPTIONS, CHANGE_HELP, CHANGE_OPTIONS, openContext, resolveFlag } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { describeChange } from '../audit/entry';
import { painter, table } from '../output/table';

/** History and rollback need revisions, which only the control plane keeps. */
function revisionsOf(backend: Backend, command: string): Required<Pick<Backend, 'history' | 'rollback'>> {
  if (!backend.history || !backend.rollback) {
    throw new UsageError(
      `${command} needs the control plane (the remote backend: FLAGSTAGE_URL and FLAGSTAGE_TOKEN, or \`flagstage serve\`); the ${backend.kind} backend keeps no revisions, see \`flagstage audit\``,
    );
  }
  return { history: backend.history.bind(backend), rollback: backend.rollback.bind(backend) };
}

export const historyCommand: Command = {
  name: 'history',
  summary: 'every revision of the document with who and why (the control plane)',
  help: `Usage: flagstage history [flag] [options]

Lists every revision the control plane holds, oldest first: its number, time, actor, command,
the flags it changed and the reason. With a flag, only the revisions that changed it. A revision
number is what \`flagstage rollback\` takes.

Options:
${BACKEND_HELP}

Example:
  flagstage history gastown
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: BACKEND_OPTIONS, allowPositionals: true, strict: true });
    const [rawFlag, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; usage: flagstage history [flag]`);
    const { manifest, backend } = await openContext(io, values);
    const flag = rawFlag === undefined ? null : resolveFlag(manifest, rawFlag);
    const revisions = await revisionsOf(backend, 'history').history(flag);
    if (values.json) {
      io.stdout(`${JSON.stringify({ backend: backend.kind, flag, revisions }, null, 2)}\n`);
      return 0;
    }
    io.stdout(
      revisions.length === 0
        ? `no revisions${flag === null ? '' : ` changed ${flag}`}\n`
        : table(
            ['REVISION', 'TIME', 'ACTOR', 'COMMAND', 'FLAGS', 'REASON'],
            revisions.map((revision) => [
              String(revision.revision),
              revision.at,
              revision.actor,
              revision.restoredFrom === null ? revision.command : `${revision.command} to ${revision.restoredFrom}`,
              revision.flags.length === 0 ? '-' : revision.flags.join(', '),
              revision.reason ?? '-',
            ]),
          ),
    );
    return 0;
  },
};

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'a new revision equal to an earlier one, audited (the control plane; owner role)',
  help: `Usage: flagstage rollback <revision> --reason TEXT [options]

Makes a new revision whose flags equal those of <revision> (from \`flagstage history\`). History is
never rewritten: the rollback is a revision of its own, with an audit entry for every flag it
changes. Needs a token with the owner role.

Options:
${CHANGE_HELP}
${BACKEND_HELP}

Example:
  flagstage rollback 12 --reason "undo the 60% ramp"
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: CHANGE_OPTIONS, allowPositionals: true, strict: true });
    const [raw, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; usage: flagstage rollback <revision> --reason TEXT`);
    if (raw === undefined) throw new UsageError('name the revision to restore (`flagstage history` lists them)');
    if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`"${raw}" is not a revision number; \`flagstage history\` lists them`);
    if (values.reason === undefined || values.reason.trim() === '') throw new UsageError('say why with --reason TEXT (it goes to the audit log)');
    const { backend } = await openContext(io, values);
    const result = await revisionsOf(backend, 'rollback').rollback(Number(raw), values.reason);
    if (values.json) {
      io.stdout(`${JSON.stringify({ backend: backend.kind, ...result }, null, 2)}\n`);
      return 0;
    }
    const paint = painter(io.isTTY);
    if (!result.changed) {
      io.stdout(`no change: the flags already equal revision ${result.restoredFrom} (revision ${result.revision})\n`);
      return 0;
    }
    io.stdout(
      `${paint('bold', `revision ${result.revision}`)}: restored revision ${result.restoredFrom}\n` +
        result.entries.map((entry) => `  ${paint('bold', entry.flag)}: ${describeChange(entry.before, entry.after)}\n`).join(''),
    );
    return 0;
  },
};
