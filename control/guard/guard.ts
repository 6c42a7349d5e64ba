import { lineage } from '../../runtime/stages/index';
import type { DurableStorage } from '../platform';
import { formatDuration } from '../plans/duration';
import type { ControlState } from '../state/control-state';
import type { OutcomeWindow } from './outcome-window';
import { guardActor, type GuardedPlan, type GuardedPlans } from './plans';
import { judge, percent, type GuardSettings, type Verdict } from './settings';

/** A guard that tripped: what it measured and the kill it made. */
export interface Trip {
  readonly planId: number;
  readonly flag: string;
  readonly actor: string;
  readonly at: number;
  readonly settings: GuardSettings;
  readonly verdict: Verdict;
  /** The revision with the kill-switch on. */
  readonly revision: number;
  readonly reason: string;
}

export interface GuardOptions {
  readonly storage: DurableStorage;
  readonly state: ControlState;
  readonly plans: GuardedPlans;
  readonly window: OutcomeWindow;
  readonly now: () => number;
}

/**
 * Looks at the guards of the flags a batch brought outcomes for, right after it was stored. A guard
 * trips when its window (outcomes since `windowMs` ago, and since its last trip) holds at least
 * `minSamples` with an error rate above `errorRate`: the kill-switch goes on through ControlState
 * (one audit entry, actor `guard:<plan>`, the rate and samples in the reason), the plan is paused
 * and the trip recorded on it, all in one transaction. A flag that is killed (itself or an ancestor)
 * is not looked at: a tripped guard does not trip again while killed, and it never revives.
 *
 * @example
 * ```ts
 * const trips = watchGuards({ storage, state, plans, window, now }, ['gastown']);
 * ```
 */
export function watchGuards(options: GuardOptions, flags: readonly string[]): Trip[] {
  const trips: Trip[] = [];
  for (const flag of flags) {
    const plan = options.plans.activePlan(flag);
    if (plan === null || plan.guard === null) continue;
    const rollouts = options.state.rollouts();
    if (lineage(options.state.manifest, flag).some((key) => rollouts[key]?.killed === true)) continue;
    const now = options.now();
    const verdict = readGuard(plan, plan.guard, options.window, now);
    if (verdict.trip) trips.push(trip(options, plan, plan.guard, verdict, now));
  }
  return trips;
}

/** What a guard sees at one moment: its verdict on the window, and where the window starts (ms). */
export interface GuardReading extends Verdict {
  readonly since: number;
}

/**
 * What a plan's guard sees now: the outcomes of its window (the last `windowMs`, and only since its
 * last trip), their error rate and whether it would trip. The one rule for both the trip and what
 * the API shows (`plan.guardWindow`).
 *
 * @example
 * ```ts
 * const reading = readGuard(plan, plan.guard, window, Date.now());
 * if (reading.samples < plan.guard.minSamples) console.log('not enough samples yet');
 * ```
 */
export function readGuard(plan: GuardedPlan, settings: GuardSettings, window: OutcomeWindow, now: number): GuardReading {
  const since = windowStart(plan, settings, now);
  return { ...judge(settings, window.measure(plan.flag, since)), since };
}

/** How long the window must keep outcomes: the longest window of an active guard. */
export function retentionMs(plans: GuardedPlans): number {
  return Math.max(0, ...plans.activePlans().map((plan) => plan.guard?.windowMs ?? 0));
}

/** The window looks back `windowMs`, but never before the last trip (those outcomes already counted once). */
function windowStart(plan: GuardedPlan, settings: GuardSettings, now: number): number {
  const since = now - settings.windowMs;
  // The bucket holding the trip is left out whole: it mixes outcomes from before the kill.
  return plan.guardState === null ? since : Math.max(since, plan.guardState.trippedAt + 10_000);
}

function trip(options: GuardOptions, plan: GuardedPlan, settings: GuardSettings, verdict: Verdict, now: number): Trip {
  const actor = guardActor(plan.id);
  const reason =
    `guard of plan ${plan.id}: error rate ${percent(verdict.rate)} (${verdict.errors} errors in ${verdict.samples} samples over the last ${formatDuration(settings.windowMs)}) ` +
    `is above ${percent(settings.errorRate)} (minimum ${settings.minSamples} samples); the kill-switch is on for new access, admins and work holding grants continue; reviving is a human decision`;
  const outcome = options.storage.transactionSync(() => {
    const killed = options.state.change(plan.flag, { command: 'kill' }, { actor, reason });
    options.plans.recordGuardTrip(plan.id, { trippedAt: now, rate: verdict.rate, samples: verdict.samples });
    // The kill has paused the plan already (any kill does); this says why, if it had not.
    options.plans.pausePlan(plan.id, actor, reason);
    return killed;
  });
  return { planId: plan.id, flag: plan.flag, actor, at: now, settings, verdict, revision: outcome.revision, reason };
}

