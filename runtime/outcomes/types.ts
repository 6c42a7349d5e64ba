import type { Decision } from '../policy/decision';
import type { WaitUntil } from '../sources/source';

/** What became of work a flag let someone do: the guard counts the errors among them. */
export type Outcome = 'error' | 'success';

/**
 * Where `flags.track()` hands outcomes: `outcomeReporter()` from `flagstage/outcomes` (batched,
 * sampled, sent to the control plane), or anything with the same shape. The runtime only passes the
 * decision along; the reporter decides what to keep. It must never throw.
 */
export interface OutcomeReporter {
  /**
   * Takes one outcome of the work `decision` allowed (still resolving: `track` never waits for it).
   * `context.waitUntil` keeps the isolate alive until the batch holding it is sent.
   */
  record(decision: Promise<Decision<string>>, outcome: Outcome, context?: WaitUntil): void;
}
