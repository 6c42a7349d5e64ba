import { parseArgs } from 'node:util';
import type { ExternalAuditEntry } from '../backend';
import { describeChange } from '../audit/entry';
import { BACKEND_HELP, BACKEND_OPTIONS, openContext, resolveFlag } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { printable } from '../output/escape';
import { painter, table } from '../output/table';

export const auditCommand: Command = {
  name: 'audit',
  summary: 'the audit log: who changed what, when, why, before and after',
  help: `Usage: flagstage audit [--flag FLAG] [--limit N] [options]

Prints the changes made through flagstage, oldest first: time, actor, command, flag, what changed
and the reason. Each entry of --json carries the flag's full rollout before and after.
The local backend's log is .flagstage/audit.jsonl. With the flagsmith backend, flagstage's own
entries (kept in the same file) are followed by Flagsmith's audit log for the environment, read
from the Admin API (GET /api/v1/projects/<id>/audit/?environments=…).

Options:
  --flag FLAG       only this flag's entries
  --limit N         only the last N entries (default: all of flagstage's, Flagsmith's latest 100)
${BACKEND_HELP}
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: { ...BACKEND_OPTIONS, flag: { type: 'string' }, limit: { type: 'string' } }, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new UsageError(`unexpected "${positionals.join(' ')}"; filter with --flag FLAG`);
    const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
    if (!Number.isInteger(limit) && limit !== Number.POSITIVE_INFINITY) throw new UsageError(`--limit ${values.limit} is not a whole number`);
    if (limit < 1) throw new UsageError('--limit must be at least 1');
    const { manifest, backend } = await openContext(io, values);
    const flag = values.flag === undefined ? null : resolveFlag(manifest, values.flag);
    const all = await backend.audit();
    const selected = all.filter((entry) => flag === null || entry.flag === flag);
    const entries = selected.slice(Math.max(0, selected.length - limit));
    const external: ExternalAuditEntry[] | null = backend.externalAudit ? await backend.externalAudit(limit === Number.POSITIVE_INFINITY ? 100 : limit) : null;
    if (values.json) {
      io.stdout(`${JSON.stringify({ backend: backend.kind, entries, ...(external === null ? {} : { flagsmith: external }) }, null, 2)}\n`);
      return 0;
    }
    const paint = painter(io.isTTY);
    io.stdout(
      entries.length === 0
        ? `no changes recorded${flag === null ? '' : ` for ${flag}`}\n`
        : table(
            ['TIME', 'ACTOR', 'COMMAND', 'FLAG', 'CHANGE', 'REASON'],
            entries.map((entry) => [entry.at, entry.actor, entry.command, entry.flag, describeChange(entry.before, entry.after), entry.reason ?? '-'].map(printable)),
          ),
    );
    if (external !== null) {
      io.stdout(`\n${paint('bold', "Flagsmith's audit log")} ${paint('dim', '(newest first)')}\n`);
      io.stdout(external.length === 0 ? 'no entries\n' : table(['TIME', 'AUTHOR', 'OBJECT', 'LOG'], external.map((entry) => [entry.at, entry.author, entry.objectType ?? '-', entry.log].map(printable))));
    }
    return 0;
  },
};
