import type { DurableStorage } from '../platform';
import type { ControlState } from '../state/control-state';
import { readGuard, retentionMs, watchGuards, type GuardReading, type Trip } from './guard';
import { ingestOutcomes } from './ingest';
import { OutcomeWindow, type IngestCounters } from './outcome-window';
import type { GuardedPlan, GuardedPlans } from './plans';

export interface OutcomeGuardOptions {
  readonly storage: DurableStorage;
  readonly state: ControlState;
  /** The environment's plans; null: outcomes are counted, no guard runs. */
  readonly plans: () => GuardedPlans | null;
  /** The environment's ingest key (read from the Worker's bindings). */
  readonly ingestKey: () => string | undefined;
  readonly now: () => number;
  /** After a trip committed: push the document webhook, notify. */
  readonly onTrip: (trip: Trip) => void;
}

/**
 * One environment's guard, as its Durable Object holds it: takes outcome batches, keeps the window,
 * and runs the plans' guards after each batch.
 *
 * @example
 * ```ts
 * const guard = new OutcomeGuard({ storage: ctx.storage, state, plans: () => plans, ingestKey: () => config.ingestKey, now: Date.now, onTrip });
 * if (OUTCOMES_PATH.test(url.pathname)) return guard.ingest(request);
 * ```
 */
export class OutcomeGuard {
  readonly #options: OutcomeGuardOptions;
  readonly #window: OutcomeWindow;

  constructor(options: OutcomeGuardOptions) {
    this.#options = options;
    this.#window = new OutcomeWindow(options.storage, { now: options.now });
  }

  /** Takes one batch (or refuses and counts it), then lets the guards of its flags look. */
  async ingest(request: Request): Promise<Response> {
    const { state, storage, now } = this.#options;
    const { response, flags } = await ingestOutcomes(request, { state, window: this.#window, ingestKey: this.#options.ingestKey() });
    const plans = this.#options.plans();
    if (plans !== null && flags.length > 0) {
      const trips = watchGuards({ storage, state, plans, window: this.#window, now }, flags);
      this.#window.prune(retentionMs(plans));
      for (const trip of trips) this.#options.onTrip(trip);
    }
    return response;
  }

  /** What the plan's guard sees now (null without a guard). */
  reading(plan: GuardedPlan): GuardReading | null {
    return plan.guard === null ? null : readGuard(plan, plan.guard, this.#window, this.#options.now());
  }

  /** The window of one flag from `since`. */
  measure(flag: string, since: number) {
    return this.#window.measure(flag, since);
  }

  /** Batches taken and refused, for `status`. */
  counters(): IngestCounters {
    return this.#window.counters();
  }
}
