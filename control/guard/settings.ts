/**
 * A guard's rule and its verdict. A plan carries the settings (`--guard-error-rate 2%
 * --guard-min-samples 200 --guard-window 10m`); the guard trips when the error rate of the outcomes
 * in the window is above `errorRate` and the window holds at least `minSamples` outcomes. Below the
 * minimum it never trips, whatever the rate.
 */
export interface GuardSettings {
  /** 0 < rate <= 1 (`2%` is 0.02). */
  readonly errorRate: number;
  readonly minSamples: number;
  readonly windowMs: number;
}

/** What the window holds: sampled outcomes of identities let in by the rollout (allowlist, percentage). */
export interface Measured {
  readonly samples: number;
  readonly errors: number;
}

export interface Verdict extends Measured {
  readonly trip: boolean;
  /** errors / samples; 0 for an empty window. */
  readonly rate: number;
}

/**
 * The verdict on a window.
 *
 * @example
 * ```ts
 * judge({ errorRate: 0.02, minSamples: 200, windowMs: 600_000 }, { samples: 200, errors: 10 }).trip; // true (5% > 2%)
 * judge({ errorRate: 0.02, minSamples: 200, windowMs: 600_000 }, { samples: 199, errors: 10 }).trip; // false (under-sampled)
 * ```
 */
export function judge(settings: GuardSettings, measured: Measured): Verdict {
  const rate = measured.samples === 0 ? 0 : measured.errors / measured.samples;
  return { ...measured, rate, trip: measured.samples > 0 && measured.samples >= settings.minSamples && rate > settings.errorRate };
}

/** `5.0%`, `0.25%`: a rate as the audit log and notifications say it. */
export function percent(rate: number): string {
  const value = rate * 100;
  return `${value >= 1 ? value.toFixed(1) : value.toPrecision(2)}%`;
}
