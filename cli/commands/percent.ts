import { parseArgs } from 'node:util';
import type { BucketBy } from '../../runtime/manifest/types';
import { BACKEND_HELP, CHANGE_HELP, CHANGE_OPTIONS } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { planPercent } from '../rollout/plan';
import { runChange } from './change';

export const percentCommand: Command = {
  name: 'percent',
  summary: "set a flag's percentage split (0-100), bucketed by user or org",
  help: `Usage: flagstage percent <flag> <0-100> [--by user|org] [options]

Sets the flagstage_<feature>_percentage segment: one PERCENTAGE_SPLIT condition of N percent,
hashing the identity (by user) or the org_id trait (by org, so an org's members land together).
Ramping up never removes anyone already in; ramping down removes only the top of the range.
It takes effect at stage percentage and above; below it the split is kept and the command says so
(then run \`flagstage stage <flag> percentage\`).

Options:
  --by user|org     bucketing (default: the current split's, else bucketBy in flags.config.ts)
${CHANGE_HELP}
${BACKEND_HELP}

Example:
  flagstage percent gastown 10
  flagstage stage gastown percentage
  flagstage percent gastown 50 --reason "error rate flat at 10%"
`,
  async run(args: string[], io: CliIO): Promise<number> {
    // parseArgs would take `-5` for an unknown option; it is a percentage out of range.
    const negative = args.find((arg) => /^-\d+(\.\d+)?%?$/.test(arg));
    if (negative !== undefined) parsePercent(negative);
    const { values, positionals } = parseArgs({ args, options: { ...CHANGE_OPTIONS, by: { type: 'string' } }, allowPositionals: true, strict: true });
    const [flag, raw, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; usage: flagstage percent <flag> <0-100>`);
    if (flag === undefined) throw new UsageError('name a flag and a percentage, e.g. `flagstage percent gastown 10` (flags: `flagstage status`)');
    const value = parsePercent(raw);
    const by = parseBy(values.by);
    return runChange(io, values, { command: 'percent', args, flag, plan: (state, key) => planPercent(state, key, value, by) });
  },
};

function parsePercent(raw: string | undefined): number {
  if (raw === undefined) throw new UsageError('give the percentage: a number from 0 to 100, e.g. `flagstage percent gastown 10`');
  const text = raw.endsWith('%') ? raw.slice(0, -1) : raw;
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw new UsageError(`percentage "${raw}" is not a number from 0 to 100; e.g. \`flagstage percent <flag> 10\``);
  }
  return value;
}

function parseBy(raw: string | undefined): BucketBy | undefined {
  if (raw === undefined || raw === 'user' || raw === 'org') return raw;
  throw new UsageError(`--by ${raw} is not a bucketing; use --by user or --by org`);
}
