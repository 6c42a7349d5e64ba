import { parseArgs } from 'node:util';
import type { Backend, PlanBackend } from '../backend';
import { BACKEND_HELP, BACKEND_OPTIONS, CHANGE_OPTIONS, openContext, resolveFlag } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { printable } from '../output/escape';
import { describePlan, type PlanFlagState } from '../output/plan';
import type { Manifest } from '../../runtime/manifest/types';
import { killedBy } from './status';

/**
 * Plans run on the control plane's alarm: the local file and Flagsmith have nothing that wakes up
 * to apply a step, so they answer with where plans do run.
 */
export function plansOf(backend: Backend, command: string): PlanBackend {
  if (!backend.plans) {
    throw new UsageError(
      `${command}: rollout plans need the control plane, whose alarm applies the steps; the ${backend.kind} backend has none. Run \`flagstage serve\` locally (it prints FLAGSTAGE_URL and FLAGSTAGE_TOKEN), or point FLAGSTAGE_URL and FLAGSTAGE_TOKEN at your deployed control plane`,
    );
  }
  return backend.plans;
}

export const planCommand: Command = {
  name: 'plan',
  summary: "a flag's rollout plan: steps, what was applied when, the next step, the guard (the control plane)",
  help: `Usage: flagstage plan <flag> [options]

Shows the flag's active rollout plan (else its latest): every step with when it was applied (or
skipped, when the control plane was down past it) and its revision, the next step and its time,
a pause and why, and the guard: its settings (threshold, minimum samples, window), what its window
holds now (errors, samples, rate, or "not enough samples yet"), and its last trip. A guard that
tripped while the flag is still killed comes first, with what it measured and the revive command
(the guard never revives: a person does). With --json: { backend, plan, killedBy } (plan as the
API's GET …/plan answers it, guardWindow included).

Options:
${BACKEND_HELP}

Example:
  flagstage plan gastown
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: BACKEND_OPTIONS, allowPositionals: true, strict: true });
    const [rawFlag, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; usage: flagstage plan <flag>`);
    const { manifest, backend } = await openContext(io, values);
    const flag = resolveFlag(manifest, rawFlag);
    const plan = await plansOf(backend, 'plan').get(flag);
    const state = await flagState(backend, manifest, flag);
    io.stdout(values.json ? `${JSON.stringify({ backend: backend.kind, plan, killedBy: state.killedBy }, null, 2)}\n` : describePlan(plan, io.isTTY, state));
    return 0;
  },
};

const WHAT: Record<'pause' | 'resume' | 'cancel', { summary: string; text: string; example: string }> = {
  pause: { summary: "pause a flag's rollout plan: no step runs until resumed", text: 'Pauses the flag\'s plan: no step runs until it is resumed. The flag stays where it is.', example: 'error budget burning, looking into it' },
  resume: {
    summary: "resume a flag's paused rollout plan",
    text: 'Resumes the flag\'s paused plan. Its next step comes one interval after now (a plan that had\nnot started starts at its start time). Refused while the flag is killed: revive it first.',
    example: 'metrics back to normal',
  },
  cancel: { summary: "cancel a flag's rollout plan; the flag stays where it is", text: 'Cancels the flag\'s plan: no further step runs; the flag keeps its stage and percentage.', example: 'ramping by hand instead' },
};

function actionCommand(verb: 'pause' | 'resume' | 'cancel'): Command {
  return {
    name: verb,
    summary: WHAT[verb].summary,
    help: `Usage: flagstage ${verb} <flag> --reason TEXT [options]

${WHAT[verb].text} Audited, with the reason.

Options:
  --reason TEXT     why, recorded in the audit log (required)
${BACKEND_HELP}

Example:
  flagstage ${verb} gastown --reason "${WHAT[verb].example}"
`,
    async run(args: string[], io: CliIO): Promise<number> {
      const { values, positionals } = parseArgs({ args, options: CHANGE_OPTIONS, allowPositionals: true, strict: true });
      const [rawFlag, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; usage: flagstage ${verb} <flag> --reason TEXT`);
      if (values.reason === undefined || values.reason.trim() === '') throw new UsageError(`the control plane records a reason with every plan action; pass --reason TEXT`);
      const { manifest, backend } = await openContext(io, values);
      const flag = resolveFlag(manifest, rawFlag);
      const answer = await plansOf(backend, verb).act(flag, verb, values.reason);
      if (values.json) {
        io.stdout(`${JSON.stringify({ backend: backend.kind, ...answer }, null, 2)}\n`);
        return 0;
      }
      io.stdout(describePlan(answer.plan, io.isTTY, await flagState(backend, manifest, flag)));
      for (const note of answer.notes) io.stdout(`note: ${printable(note)}\n`);
      return 0;
    },
  };
}

/** Whose kill-switch has the flag killed now: a tripped guard is shown first while it has. */
export async function flagState(backend: Backend, manifest: Manifest, flag: string): Promise<PlanFlagState> {
  const { rollouts } = await backend.read();
  return { killedBy: killedBy(manifest, rollouts, flag) };
}

export const pauseCommand = actionCommand('pause');
export const resumeCommand = actionCommand('resume');
export const cancelCommand = actionCommand('cancel');
