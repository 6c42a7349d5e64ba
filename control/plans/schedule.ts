/**
 * When a plan's steps fall due: the one rule that makes alarms exactly-once in effect. Step `i` is
 * due at `nextAt + (i - nextIndex) * everyMs`; an alarm at `now` applies the LAST step due by then
 * and records the ones before it as skipped, so a duplicated alarm (nothing due) applies nothing,
 * a late one applies the step it was for, and a control plane that was down past several steps
 * applies only the step due now.
 */

/** The step an alarm at `now` applies, the steps it passes over, and when the step after it is due. */
export interface DueStep {
  readonly index: number;
  readonly dueAt: number;
  /** Indexes due before `index` that are passed over (the control plane was down), with their due times. */
  readonly skipped: readonly { readonly index: number; readonly dueAt: number }[];
  /** When the next step is due, or null when `index` is the last. */
  readonly followingAt: number | null;
}

/**
 * The step due at `now`, or null when none is (not yet, or nothing left).
 *
 * @example
 * ```ts
 * dueStep({ nextIndex: 1, nextAt: 1_000, everyMs: 100, lastIndex: 4 }, 1_250);
 * // { index: 3, dueAt: 1_200, skipped: [{ index: 1, dueAt: 1_000 }, { index: 2, dueAt: 1_100 }], followingAt: 1_300 }
 * ```
 */
export function dueStep(plan: { readonly nextIndex: number; readonly nextAt: number | null; readonly everyMs: number; readonly lastIndex: number }, now: number): DueStep | null {
  const { nextIndex, nextAt, everyMs, lastIndex } = plan;
  if (nextAt === null || nextAt > now || nextIndex > lastIndex) return null;
  const passed = Math.floor((now - nextAt) / everyMs);
  const index = Math.min(nextIndex + passed, lastIndex);
  const skipped = [];
  for (let i = nextIndex; i < index; i += 1) skipped.push({ index: i, dueAt: nextAt + (i - nextIndex) * everyMs });
  const dueAt = nextAt + (index - nextIndex) * everyMs;
  return { index, dueAt, skipped, followingAt: index < lastIndex ? dueAt + everyMs : null };
}
