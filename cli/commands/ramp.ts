import { parseArgs } from 'node:util';
import { DURATION_FIX, parseDuration } from '../../control/plans/duration';
import type { PlanRequest } from '../backend';
import { BACKEND_HELP, BACKEND_OPTIONS, openContext, resolveFlag } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { printable } from '../output/escape';
import { describePlan } from '../output/plan';
import { plansOf } from './plan';

const RAMP_OPTIONS = {
  ...BACKEND_OPTIONS,
  steps: { type: 'string' },
  every: { type: 'string' },
  start: { type: 'string' },
  then: { type: 'string' },
  'guard-error-rate': { type: 'string' },
  'guard-min-samples': { type: 'string' },
  'guard-window': { type: 'string' },
  reason: { type: 'string' },
  actor: { type: 'string' },
} as const;

export const rampCommand: Command = {
  name: 'ramp',
  summary: 'a rollout plan: percentage steps on a schedule, then GA, with a guard (the control plane)',
  help: `Usage: flagstage ramp <flag> --steps 1,5,25,50,100 --every 6h [--start AT] [--then ga]
                      [--guard-error-rate 2% --guard-min-samples 200 --guard-window 10m] --reason TEXT

Stores a rollout plan with the flag on the control plane. Its alarm applies each step as an
ordinary change (one audit entry each, actor plan:<id> on behalf of you): the first step moves the
flag to stage percentage, each later one raises the percentage, and with --then ga the flag goes
to GA one interval after the last. A change by hand to the flag's stage, percentage or kill-switch
pauses the plan; \`flagstage plan <flag>\` shows it, \`pause\`, \`resume\` and \`cancel\` steer it.

Options:
  --steps LIST              increasing percentages, e.g. 1,5,25,50,100
  --every DURATION          between steps: a whole number and s, m, h or d (30s, 10m, 6h, 2d)
  --start AT                the first step's time: ISO 8601 with zone, or a delay (2h); default now
  --then ga                 go to GA one interval after the last step
  --guard-error-rate RATE   kill the flag when the error rate of those let in passes RATE (2% or 0.02)
  --guard-min-samples N     ... with at least N outcomes in the window (default 200)
  --guard-window DURATION   the sliding window the rate is measured over (default 10m)
  --reason TEXT             why, recorded in the audit log (required)
${BACKEND_HELP}

Plans need the control plane: the remote backend (FLAGSTAGE_URL and FLAGSTAGE_TOKEN), or
\`flagstage serve\` locally.

Example:
  flagstage ramp gastown --steps 1,5,25,50,100 --every 6h --then ga --guard-error-rate 2% --reason "Gastown launch"
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: RAMP_OPTIONS, allowPositionals: true, strict: true });
    const [rawFlag, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; usage: flagstage ramp <flag> --steps 1,5,25 --every 6h --reason TEXT`);
    const request = rampRequest(values);
    const { manifest, backend } = await openContext(io, values);
    const flag = resolveFlag(manifest, rawFlag);
    const answer = await plansOf(backend, 'ramp').create(flag, request);
    if (values.json) {
      io.stdout(`${JSON.stringify({ backend: backend.kind, ...answer }, null, 2)}\n`);
      return 0;
    }
    io.stdout(describePlan(answer.plan, io.isTTY));
    for (const note of answer.notes) io.stdout(`note: ${printable(note)}\n`);
    return 0;
  },
};

/** The plan request from the command line, checked before anything is sent. */
function rampRequest(values: Record<string, string | boolean | undefined>): PlanRequest {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const rawSteps = text('steps');
  if (rawSteps === undefined) throw new UsageError('give the steps: --steps 1,5,25,50,100 (increasing percentages)');
  const steps = rawSteps.split(',').map((part) => {
    const trimmed = part.trim().replace(/%$/, '');
    const value = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!(value > 0 && value <= 100)) throw new UsageError(`--steps: "${part}" is not a percentage above 0 and at most 100; e.g. --steps 1,5,25,50,100`);
    return value;
  });
  steps.forEach((step, i) => {
    if (i > 0 && step <= (steps[i - 1] as number)) throw new UsageError(`--steps: ${step} is not above ${steps[i - 1]}; list the steps in increasing order (ramping down would remove people)`);
  });
  const every = text('every');
  if (every === undefined) throw new UsageError(`give the interval: --every 6h (${DURATION_FIX})`);
  if (parseDuration(every) === null) throw new UsageError(`--every ${every} is not a duration; ${DURATION_FIX}`);
  const then = text('then');
  if (then !== undefined && then !== 'ga') throw new UsageError(`--then ${then} is not something a plan does after its last step; use --then ga, or leave it out`);
  const reason = text('reason');
  if (reason === undefined || reason.trim() === '') throw new UsageError('the control plane records a reason with every plan; pass --reason TEXT');
  const rate = text('guard-error-rate');
  const samples = text('guard-min-samples');
  const window = text('guard-window');
  if (rate === undefined && (samples !== undefined || window !== undefined)) throw new UsageError('--guard-min-samples and --guard-window go with --guard-error-rate RATE (e.g. 2%)');
  const start = text('start');
  return {
    steps,
    every,
    ...(start === undefined ? {} : { start }),
    ...(then === 'ga' ? { then } : {}),
    ...(rate === undefined ? {} : { guard: { errorRate: parseRate(rate), minSamples: parseSamples(samples ?? '200'), window: parseWindow(window ?? '10m') } }),
    reason,
  };
}

function parseRate(raw: string): number {
  const percent = raw.endsWith('%');
  const text = percent ? raw.slice(0, -1) : raw;
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) / (percent ? 100 : 1) : Number.NaN;
  // `2` meant as 2%: say how a bare number reads instead of a generic refusal.
  if (!percent && value > 1 && value <= 100) throw new UsageError(`--guard-error-rate ${raw} is not an error rate: a bare number is a fraction (0.02 = 2%); write ${raw}% for ${raw} percent`);
  if (!(value > 0 && value <= 1)) throw new UsageError(`--guard-error-rate ${raw} is not an error rate; give a percentage (2%) or a fraction (0.02) above 0 and at most 100%`);
  return value;
}

function parseSamples(raw: string): number {
  const value = /^\d{1,8}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= 10_000_000)) throw new UsageError(`--guard-min-samples ${raw} is not a sample count; give a whole number from 1 to 10000000 (e.g. 200)`);
  return value;
}

function parseWindow(raw: string): string {
  if (parseDuration(raw) === null) throw new UsageError(`--guard-window ${raw} is not a duration; ${DURATION_FIX}`);
  return raw;
}
