/**
 * Guards (control/guard): outcomes reported by gates with an ingest key, a sliding window per flag
 * in the Durable Object's SQLite, and the trip that turns a plan's flag's kill-switch on when the
 * rollout's error rate passes its threshold with enough samples.
 */
export { OutcomeGuard, type OutcomeGuardOptions } from './outcome-guard';
export { OUTCOMES_PATH, guardRoutes } from './routes';
export { checkIngestKey, generateIngestKey, INGEST_KEY_PREFIX } from './ingest-key';
export { notifyTrip, tripPayload, type GuardTrippedPayload, type NotificationResult } from './notification';
export type { GuardSettings, Verdict } from './settings';
export type { GuardReading, Trip } from './guard';
export type { IngestCounters } from './outcome-window';
export type { GuardedPlan, GuardedPlans, GuardTrip } from './plans';
