import type { Handler } from 'hono';
import { flagsmithWebhook, type FlagsmithWebhookOptions } from 'flagstage';
import type { Flagstage } from '../../runtime/flagstage';
import { waitUntilOf } from './state';

/** `flagsmithWebhook`'s options; the source is the runtime's own. */
export type WebhookOptions = Omit<FlagsmithWebhookOptions, 'source'>;

/**
 * The route handler for Flagsmith's environment webhook: checks `X-Flagsmith-Signature`, then
 * refreshes `flags.source` at once instead of waiting for its TTL (so a kill-switch applies on the
 * next request). Answers small JSON with a stable `code`. Mount it with `app.post()`, outside the
 * app's auth and any `requireFlag`: Flagsmith signs its calls; it has no session.
 *
 * @example
 * ```ts
 * import { webhook } from 'flagstage/hono';
 *
 * app.post('/webhooks/flagsmith', webhook(flags, { secret: env.FLAGSMITH_WEBHOOK_SECRET }));
 * ```
 */
export function webhook(flags: Flagstage, options: WebhookOptions): Handler {
  const handle = flagsmithWebhook({ ...options, source: flags.source });
  return function webhook(c) {
    return handle(c.req.raw, waitUntilOf(c));
  };
}
