import type { PlanJson } from '../../control/plans/view';
import { printable } from './escape';
import { painter, table, type Paint } from './table';

/** The flag's kill-switch as `flagstage plan` found it: which flag's switch has it killed (itself or an ancestor), or null. */
export interface PlanFlagState {
  readonly killedBy: string | null;
}

/**
 * A rollout plan for people: a tripped guard first (while the flag is still killed), then its
 * status and cadence, every step with what happened to it and when (or when it is due), the next
 * step, a pause or an end, and the guard: its settings, what its window holds now, its last trip.
 * Without `flag` (an action's answer) the trip shows in the guard's lines only. Text from outside
 * (actors, reasons) goes through `printable`.
 *
 * @example
 * ```ts
 * io.stdout(describePlan(plan, io.isTTY, { killedBy: null }));
 * ```
 */
export function describePlan(plan: PlanJson, isTTY: boolean, flag?: PlanFlagState): string {
  const paint = painter(isTTY);
  const status = plan.status === 'paused' ? paint('yellow', 'paused') : plan.status === 'cancelled' ? paint('red', 'cancelled') : plan.status === 'done' ? paint('green', 'done') : plan.status;
  const lines = [
    `${paint('bold', plan.flag)}: plan ${plan.id}, ${status} — ${plan.steps.map((step) => `${step}%`).join(' -> ')}${plan.then === 'ga' ? ' -> GA' : ''}, every ${plan.every}`,
    `created by ${printable(plan.createdBy)} at ${plan.createdAt}: ${printable(plan.reason)}`,
    ...tripAlert(plan, flag, paint),
    '',
  ];
  const rows = plan.schedule.map((step) => {
    const state = step.state === 'applied' ? paint('green', 'applied') : step.state === 'skipped' ? paint('yellow', 'skipped') : plan.next?.index === step.index ? paint('bold', 'next') : 'pending';
    const when = step.at ?? step.dueAt ?? (plan.status === 'paused' ? 'after resume' : '-');
    return [`${step.index + 1}`, step.percent === null ? 'GA' : `${step.percent}%`, state, when, step.revision === null ? '-' : String(step.revision)];
  });
  const body = table(['STEP', 'TARGET', 'STATE', 'AT (OR DUE)', 'REVISION'], rows);
  const tail: string[] = [];
  if (plan.next) tail.push(`next: step ${plan.next.index + 1} (${plan.next.percent === null ? 'GA' : `${plan.next.percent}%`}) at ${plan.next.at}`);
  if (plan.paused) tail.push(`${paint('yellow', 'paused')} by ${printable(plan.paused.by)} at ${plan.paused.at}: ${printable(plan.paused.reason)}`);
  if (plan.ended) tail.push(`${plan.status} at ${plan.ended.at} by ${printable(plan.ended.by)}: ${printable(plan.ended.reason)}`);
  tail.push(...guardLines(plan, flag, paint));
  return `${lines.join('\n')}${body}${tail.length > 0 ? `\n${tail.join('\n')}\n` : ''}`;
}

/**
 * The guard's settings, what its window holds now (the API's `guardWindow`, read by the same rule
 * that trips it), and its last trip. An under-sampled window is said to be one: the guard never
 * judges it, whatever its rate.
 */
function guardLines(plan: PlanJson, flag: PlanFlagState | undefined, paint: Paint): string[] {
  const { guard, guardWindow: window, guardState: trip } = plan;
  if (!guard) return [];
  const lines = [`guard: kill the flag when the error rate is above ${percent(guard.errorRate)} with at least ${count(guard.minSamples, 'outcome')} in the last ${guard.window}`];
  if (window === null) {
    lines.push(`  now: not watching (the plan is ${plan.status})`);
  } else {
    const measured = `${count(window.errors, 'error')} in ${count(window.samples, 'outcome')} since ${window.since}${window.samples > 0 ? ` (${percent(window.rate)})` : ''}`;
    const verdict =
      flag?.killedBy != null
        ? `the flag is killed${flag.killedBy === plan.flag ? '' : ` (via ${flag.killedBy})`}; the guard does not look until it is revived`
        : window.samples < guard.minSamples
          ? paint('yellow', `not enough samples yet (${window.samples} of ${guard.minSamples}); the guard never judges an under-sampled window`)
          : window.rate > guard.errorRate
            ? paint('red', 'above the threshold')
            : paint('green', 'under the threshold');
    lines.push(`  now: ${measured}: ${verdict}`);
  }
  lines.push(trip ? `  last trip: ${paint('red', 'TRIPPED')} at ${trip.trippedAt}: ${percent(trip.rate)} errors in ${count(trip.samples, 'outcome')}; it turned the kill-switch on and paused the plan` : '  last trip: never');
  return lines;
}

/**
 * A trip while the flag is still killed, first thing: when, what the guard measured, what it did,
 * and the commands a person runs once the cause is understood (the guard never revives).
 */
function tripAlert(plan: PlanJson, flag: PlanFlagState | undefined, paint: Paint): string[] {
  const trip = plan.guardState;
  if (!plan.guard || !trip || flag?.killedBy == null) return [];
  const revive = flag.killedBy;
  return [
    '',
    paint('red', `GUARD TRIPPED: ${plan.flag} is killed`),
    `  at ${trip.trippedAt} the guard of plan ${plan.id} measured ${percent(trip.rate)} errors in ${count(trip.samples, 'outcome')} (threshold ${percent(plan.guard.errorRate)}, at least ${plan.guard.minSamples} in ${plan.guard.window})`,
    `  it turned the kill-switch on (everyone but admins lost ${plan.flag} for new access; work already in flight continues) and paused the plan`,
    `  the guard never revives anything: reviving is a human decision. Once the cause is understood:`,
    `    flagstage revive ${revive} --reason "…"`,
    `    flagstage resume ${plan.flag} --reason "…"   (or cancel it)`,
    '',
  ];
}

/** A guard's trip that holds a flag killed, as `flagstage status` reports it (`guardTrip` in `--json`). */
export interface GuardTripStatus {
  /** Who killed it, as audited: `guard:<plan id>`. */
  readonly by: string;
  readonly plan: number;
  readonly trippedAt: string;
  readonly rate: number;
  readonly samples: number;
  /** The flag whose kill-switch a person turns off to revive it. */
  readonly revive: string;
}

/**
 * The trip behind a guard's kill, from the flag's plan (null when the plan holds no trip), in
 * the same words as `flagstage plan`'s alert.
 *
 * @example
 * ```ts
 * const trip = guardTripOf(await backend.plans.get('gastown'), 'guard:1', 'gastown');
 * ```
 */
export function guardTripOf(plan: PlanJson, by: string, revive: string): GuardTripStatus | null {
  const trip = plan.guardState;
  if (!plan.guard || !trip) return null;
  return { by, plan: plan.id, trippedAt: trip.trippedAt, rate: trip.rate, samples: trip.samples, revive };
}

/** One line: `gastown: KILLED by guard:1 (5.2% errors in 250 outcomes, <when>): revive is a human decision: flagstage revive gastown --reason "…"`. */
export function describeGuardTrip(flag: string, trip: GuardTripStatus, isTTY: boolean): string {
  const paint = painter(isTTY);
  return `${flag}: ${paint('red', `KILLED by ${printable(trip.by)}`)} (${percent(trip.rate)} errors in ${count(trip.samples, 'outcome')}, ${trip.trippedAt}): reviving is a human decision: flagstage revive ${trip.revive} --reason "…"`;
}

function percent(rate: number): string {
  return `${+(rate * 100).toFixed(2)}%`;
}

/** A count with its noun: `1 outcome`, `250 outcomes`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
