import type { WebhookTarget } from '../options';
import { postWebhook } from '../push/webhooks';
import type { Trip } from './guard';

/**
 * What the configured webhooks receive when a guard trips, signed like every control plane webhook
 * (`X-Flagsmith-Signature`, HMAC-SHA256 of the body). The kill itself also goes out as the usual
 * `FLAG_UPDATED` (with retries), so gates refresh whether or not they read this one.
 */
export interface GuardTrippedPayload {
  readonly event_type: 'FLAGSTAGE_GUARD_TRIPPED';
  readonly data: {
    readonly environment: string;
    readonly flag: string;
    readonly plan: number;
    readonly changed_by: string;
    readonly timestamp: string;
    /** The revision whose kill-switch is on. */
    readonly revision: number;
    readonly error_rate: number;
    readonly errors: number;
    readonly samples: number;
    readonly threshold: number;
    readonly min_samples: number;
    readonly window_ms: number;
    /** The audit entry's reason, for people. */
    readonly reason: string;
  };
}

/** How one target took the notification. */
export interface NotificationResult {
  readonly url: string;
  readonly ok: boolean;
  readonly error: string | null;
}

/**
 * POSTs the notification to every target once (a notification is an alert, not state: the kill's
 * own webhook is the one retried). Never throws.
 *
 * @example
 * ```ts
 * ctx.waitUntil(notifyTrip(targets, payload));
 * ```
 */
export async function notifyTrip(targets: readonly WebhookTarget[], payload: GuardTrippedPayload, timeoutMs = 10_000): Promise<NotificationResult[]> {
  return Promise.all(
    targets.map(async (target) => {
      const result = await postWebhook(target, payload, timeoutMs);
      return { url: target.url, ok: result.ok, error: result.ok ? null : result.error };
    }),
  );
}

/**
 * The notification of a trip.
 *
 * @example
 * ```ts
 * await notifyTrip(targets, tripPayload('production', trip));
 * ```
 */
export function tripPayload(environment: string, trip: Trip): GuardTrippedPayload {
  return {
    event_type: 'FLAGSTAGE_GUARD_TRIPPED',
    data: {
      environment,
      flag: trip.flag,
      plan: trip.planId,
      changed_by: trip.actor,
      timestamp: new Date(trip.at).toISOString(),
      revision: trip.revision,
      error_rate: trip.verdict.rate,
      errors: trip.verdict.errors,
      samples: trip.verdict.samples,
      threshold: trip.settings.errorRate,
      min_samples: trip.settings.minSamples,
      window_ms: trip.settings.windowMs,
      reason: trip.reason,
    },
  };
}
