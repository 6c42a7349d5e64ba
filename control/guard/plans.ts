import type { GuardSettings } from './settings';

/**
 * What the guard needs of rollout plans (control/plans' PlanStore has it): the flag's active plan
 * and its guard, pausing it, and recording a trip on it. An interface, so the guard's rules do not
 * depend on how plans are stored.
 */
export interface GuardedPlans {
  /** The flag's one active plan (scheduled, running or paused), or null. */
  activePlan(flag: string): GuardedPlan | null;
  /** Every active plan: the window keeps outcomes as long as their guards look back. */
  activePlans(): readonly GuardedPlan[];
  /** Pauses a plan (nothing when it is paused already). */
  pausePlan(id: number, actor: string, reason: string): unknown;
  /** Records what the guard measured when it tripped. */
  recordGuardTrip(id: number, trip: GuardTrip): void;
}

export interface GuardedPlan {
  readonly id: number;
  readonly flag: string;
  readonly guard: GuardSettings | null;
  /** The last trip; outcomes from before it do not count again. */
  readonly guardState: GuardTrip | null;
}

/** What a trip measured, as the plan keeps it. */
export interface GuardTrip {
  readonly trippedAt: number;
  readonly rate: number;
  readonly samples: number;
}

/** The audit actor of a plan's guard. */
export function guardActor(planId: number): string {
  return `guard:${planId}`;
}
