import { signWebhookBody } from '../../runtime/sources/signature';
import type { WebhookTarget } from '../options';

/** What a webhook receiver gets after a change: Flagsmith's `FLAG_UPDATED` shape, plus the revision. */
export interface WebhookPayload {
  readonly event_type: 'FLAG_UPDATED';
  readonly data: {
    readonly changed_by: string;
    readonly timestamp: string;
    readonly environment: string;
    readonly new_state: { readonly revision: number };
    readonly previous_state: { readonly revision: number };
  };
}

/**
 * POSTs one payload (a change's `FLAG_UPDATED`, or another event such as a guard's trip), signed exactly like Flagsmith's webhooks (`X-Flagsmith-Signature` = hex
 * HMAC-SHA256 of the raw body with the target's secret), so `flagsmithWebhook({ secret, source })`
 * in a gate accepts it. Resolves to the outcome; never throws.
 *
 * @example
 * ```ts
 * const result = await postWebhook({ url, secret }, payload, 5_000);
 * ```
 */
export async function postWebhook(target: WebhookTarget, payload: WebhookPayload | { readonly event_type: string }, timeoutMs: number): Promise<{ readonly ok: true } | { readonly ok: false; readonly error: string }> {
  const body = JSON.stringify(payload);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const signature = await signWebhookBody(target.secret, body);
    const request = new Request(target.url, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', 'X-Flagsmith-Signature': signature, 'User-Agent': 'flagstage-control' },
      signal: controller.signal,
    });
    const response = await (target.fetch ? target.fetch(request) : fetch(request));
    // Drain the body so the connection is released; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    return response.ok ? { ok: true } : { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: controller.signal.aborted ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The wait before retry number `attempts` (1-based): 1 s, 2 s, 4 s, … capped at 5 minutes.
 *
 * @example
 * ```ts
 * retryDelayMs(3); // 4000
 * ```
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(300_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}
