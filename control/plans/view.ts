import { formatDuration } from './duration';
import { scheduleOf, type PlanRecord } from './plan';

/** What an active plan's guard sees now (control/guard's reading): the window's outcomes and their rate. */
export interface GuardWindowReading {
  /** Where the window starts (ms): `window` ago, or just after the last trip. */
  readonly since: number;
  readonly samples: number;
  readonly errors: number;
  readonly rate: number;
}

/**
 * A plan as the API answers it (and the CLI and the admin page show it): times as ISO strings, the
 * whole schedule with what happened to each step, and the next step with its time; with `reading`,
 * what its guard sees now (`guardWindow`).
 *
 * @example
 * ```ts
 * return c.json({ plan: planView(plans.planFor('gastown')) });
 * ```
 */
export function planView(plan: PlanRecord, reading: GuardWindowReading | null = null) {
  const schedule = scheduleOf(plan);
  const byIndex = new Map(plan.applied.map((step) => [step.index, step]));
  const waiting = plan.status === 'paused' || plan.nextAt === null;
  const next = plan.nextAt !== null && !waiting ? schedule[plan.nextIndex] : undefined;
  return {
    id: plan.id,
    flag: plan.flag,
    status: plan.status,
    steps: [...plan.steps],
    every: formatDuration(plan.everyMs),
    everyMs: plan.everyMs,
    startAt: iso(plan.startAt),
    then: plan.then,
    createdBy: plan.createdBy,
    createdAt: iso(plan.createdAt),
    reason: plan.reason,
    schedule: schedule.map((step) => {
      const record = byIndex.get(step.index);
      const dueAt = record ? record.dueAt : waiting || plan.nextAt === null || step.index < plan.nextIndex ? null : plan.nextAt + (step.index - plan.nextIndex) * plan.everyMs;
      return {
        index: step.index,
        percent: step.percent,
        stage: step.stage,
        dueAt: dueAt === null ? null : iso(dueAt),
        state: record ? record.outcome : ('pending' as const),
        at: record ? iso(record.at) : null,
        revision: record?.revision ?? null,
        auditId: record?.auditId ?? null,
      };
    }),
    next: next && plan.nextAt !== null ? { index: next.index, percent: next.percent, stage: next.stage, at: iso(plan.nextAt) } : null,
    paused: plan.paused ? { at: iso(plan.paused.at), by: plan.paused.by, reason: plan.paused.reason } : null,
    ended: plan.ended ? { at: iso(plan.ended.at), by: plan.ended.by, reason: plan.ended.reason } : null,
    guard: plan.guard ? { ...plan.guard, window: formatDuration(plan.guard.windowMs) } : null,
    guardState: plan.guardState ? { trippedAt: iso(plan.guardState.trippedAt), rate: plan.guardState.rate, samples: plan.guardState.samples } : null,
    guardWindow: plan.guard && reading ? { since: iso(reading.since), samples: reading.samples, errors: reading.errors, rate: reading.rate } : null,
  };
}

/** The JSON of a plan (`planView`'s type). */
export type PlanJson = ReturnType<typeof planView>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
