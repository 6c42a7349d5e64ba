/**
 * flagstage/outcomes: reports what became of work a flag let people do (`flags.track()`), batched
 * and sampled, to the control plane, where a rollout plan's guard watches the error rate. Its own
 * entry point, so gates that do not report pay nothing for it. Imports no Node built-in.
 */
export { outcomeReporter } from './reporter';
export type { OutcomeReporterHandle, OutcomeReporterOptions } from './reporter';
export type { Outcome, OutcomeReporter } from './types';
export { MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, MAX_OUTCOME_COUNT } from './wire';
export type { OutcomeBatch, OutcomeCount } from './wire';
