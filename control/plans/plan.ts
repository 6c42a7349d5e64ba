import { ControlError } from '../errors';
import { DURATION_FIX, MAX_DURATION_MS, parseDuration } from './duration';

/**
 * A rollout plan: a flag's percentage ramped through `steps` on a schedule, one step every
 * `everyMs` from `startAt`, then (optionally) GA. One active plan per flag; each step is an
 * ordinary audited change made by the actor `plan:<id>` on behalf of whoever created it.
 *
 *   scheduled --first step--> running --last step--> done
 *   any active status --> paused (a manual change, a kill, the guard, `pause`) --resume--> back;   cancel: cancelled
 */
export type PlanStatus = 'scheduled' | 'running' | 'paused' | 'done' | 'cancelled';

/** The statuses of the flag's one active plan. */
export const ACTIVE_STATUSES: readonly PlanStatus[] = ['scheduled', 'running', 'paused'];

/** A guard on a plan: trip the kill-switch when the error rate passes `errorRate` with `minSamples` in `windowMs`. */
export interface PlanGuard {
  /** 0..1 (the CLI's `2%` is 0.02). */
  readonly errorRate: number;
  readonly minSamples: number;
  readonly windowMs: number;
}

/** What the guard measured when it tripped (written by the guard, control/guard). */
export interface GuardState {
  readonly trippedAt: number;
  readonly rate: number;
  readonly samples: number;
}

/** One step of a plan: a percentage (stage percentage), or GA after the last percentage with `then: 'ga'`. */
export interface PlanStep {
  readonly index: number;
  readonly percent: number | null;
  readonly stage: 'percentage' | 'ga';
}

/** What happened to a step: applied by an alarm, or skipped because the control plane was down past it. */
export interface StepRecord {
  readonly index: number;
  readonly outcome: 'applied' | 'skipped';
  /** When it was due. */
  readonly dueAt: number;
  /** When it was applied (or passed over). */
  readonly at: number;
  /** The document revision the step made (applied steps). */
  readonly revision: number | null;
  /** Its audit entry (applied steps). */
  readonly auditId: number | null;
}

/** A plan as the Durable Object stores it. */
export interface PlanRecord {
  readonly id: number;
  readonly flag: string;
  /** The percentages, strictly increasing. */
  readonly steps: readonly number[];
  readonly everyMs: number;
  readonly startAt: number;
  readonly then: 'ga' | null;
  readonly status: PlanStatus;
  /** The actor that created it; its steps are made by `plan:<id>` on this actor's behalf. */
  readonly createdBy: string;
  readonly createdAt: number;
  readonly reason: string;
  /** The index (into `schedule`) of the next step, and when it is due; null once done or cancelled. */
  readonly nextIndex: number;
  readonly nextAt: number | null;
  readonly paused: { readonly at: number; readonly by: string; readonly reason: string } | null;
  readonly ended: { readonly at: number; readonly by: string; readonly reason: string } | null;
  readonly guard: PlanGuard | null;
  readonly guardState: GuardState | null;
  /** What happened to each step so far, in order. */
  readonly applied: readonly StepRecord[];
}

/** What someone asks for when creating a plan (the API's body, the CLI's options). */
export interface PlanInput {
  readonly steps: readonly number[];
  /** `6h`: s, m, h or d. */
  readonly every: string;
  /** An ISO 8601 time, or a duration from now (`30m`); default now. */
  readonly start?: string | undefined;
  readonly then?: 'ga' | null | undefined;
  readonly guard?: { readonly errorRate: number; readonly minSamples: number; readonly window: string } | null | undefined;
  readonly reason: string;
}

/** A checked plan input. */
export interface PlanSpec {
  readonly steps: readonly number[];
  readonly everyMs: number;
  readonly startAt: number;
  readonly then: 'ga' | null;
  readonly guard: PlanGuard | null;
}

/** The most steps a plan takes. */
export const MAX_STEPS = 20;

/** The actor a plan's steps are recorded under. */
export function planActor(id: number): string {
  return `plan:${id}`;
}

/**
 * Every step of a plan in order: its percentages, then GA when `then` is `ga`.
 *
 * @example
 * ```ts
 * scheduleOf({ steps: [5, 100], then: 'ga' }); // [{ index: 0, percent: 5, … }, { index: 1, percent: 100, … }, { index: 2, percent: null, stage: 'ga' }]
 * ```
 */
export function scheduleOf(plan: { readonly steps: readonly number[]; readonly then: 'ga' | null }): PlanStep[] {
  const steps: PlanStep[] = plan.steps.map((percent, index) => ({ index, percent, stage: 'percentage' }));
  if (plan.then === 'ga') steps.push({ index: steps.length, percent: null, stage: 'ga' });
  return steps;
}

/** How a step reads in messages: `25%` or `GA`. */
export function stepLabel(step: PlanStep): string {
  return step.percent === null ? 'GA' : `${step.percent}%`;
}

/**
 * Checks what someone asked for and turns it into a plan's settings. Throws a `bad-request`
 * ControlError naming the field and the fix; nothing is written before this passes.
 *
 * @example
 * ```ts
 * checkPlanInput({ steps: [1, 5, 25], every: '6h', reason: 'ramp' }, Date.now()).everyMs; // 21600000
 * ```
 */
export function checkPlanInput(input: PlanInput, now: number): PlanSpec {
  const steps = input.steps;
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_STEPS) {
    throw bad('steps', `a plan takes 1 to ${MAX_STEPS} steps`, 'list the percentages to ramp through, e.g. 1,5,25,50,100');
  }
  steps.forEach((step, i) => {
    if (typeof step !== 'number' || !Number.isFinite(step) || step <= 0 || step > 100) {
      throw bad('steps', `step ${i + 1} (${String(step)}) is not a percentage above 0 and at most 100`, 'use percentages like 1,5,25,50,100');
    }
    const previous = steps[i - 1];
    if (previous !== undefined && step <= previous) {
      throw bad('steps', `step ${i + 1} (${step}%) is not above step ${i} (${previous}%)`, 'list the steps in increasing order: ramping down would remove people who are in');
    }
  });
  const everyMs = parseDuration(String(input.every ?? ''));
  if (everyMs === null) throw bad('every', `"${String(input.every).slice(0, 40)}" is not a duration`, DURATION_FIX);
  const startAt = startOf(input.start, now);
  const then = input.then ?? null;
  if (then !== null && then !== 'ga') throw bad('then', `"${String(then)}" is not what a plan can do after its last step`, 'use "ga" (or leave it out to stay at the last percentage)');
  return { steps: [...steps], everyMs, startAt, then, guard: guardOf(input.guard ?? null) };
}

function startOf(start: string | undefined, now: number): number {
  if (start === undefined || start === '' || start === 'now') return now;
  const relative = parseDuration(start);
  if (relative !== null) return now + relative;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(start)) {
    throw bad('start', `"${start.slice(0, 40)}" is not a time`, 'give an ISO 8601 time with its zone (2026-12-01T09:00:00Z) or a delay from now (30m, 2h)');
  }
  const at = Date.parse(start);
  if (Number.isNaN(at)) throw bad('start', `"${start.slice(0, 40)}" is not a time`, 'give an ISO 8601 time with its zone, e.g. 2026-12-01T09:00:00Z');
  if (at < now - 60_000) throw bad('start', `${start} is in the past`, 'leave start out to begin now, or give a later time');
  if (at > now + MAX_DURATION_MS) throw bad('start', `${start} is more than a year away`, 'give a start within a year');
  return Math.max(at, now);
}

function guardOf(guard: PlanInput['guard']): PlanGuard | null {
  if (guard === null || guard === undefined) return null;
  const { errorRate, minSamples, window } = guard;
  if (typeof errorRate !== 'number' || !(errorRate > 0 && errorRate <= 1)) {
    throw bad('guard.errorRate', `${String(errorRate)} is not an error rate`, 'give a fraction above 0 and at most 1 (0.02 for 2%)');
  }
  if (typeof minSamples !== 'number' || !Number.isInteger(minSamples) || minSamples < 1 || minSamples > 10_000_000) {
    throw bad('guard.minSamples', `${String(minSamples)} is not a sample count`, 'give a whole number of outcomes from 1 to 10,000,000 (e.g. 200)');
  }
  const windowMs = parseDuration(String(window ?? ''));
  if (windowMs === null) throw bad('guard.window', `"${String(window).slice(0, 40)}" is not a duration`, DURATION_FIX);
  return { errorRate, minSamples, windowMs };
}

function bad(field: string, message: string, fix: string): ControlError {
  return new ControlError('bad-request', message, { field, fix });
}
