import type { Handler } from 'hono';
import type { Flagstage } from '../../runtime/flagstage';
import { webhookHandler, type WebhookOptions } from '../shared/webhook';
import { waitUntilOf } from './state';

export type { WebhookOptions };

/**
 * The route handler for Flagsmith's environment webhook: checks `X-Flagsmith-Signature`, then
 * refreshes `flags.source` at once instead of waiting for its TTL (so a kill-switch applies on the
 * next request). Answers small JSON with a stable `code`. Mount it with `app.post()`, outside the
 * app's auth and any `requireFlag`: Flagsmith signs its calls; it has no session.
 *
 * @example
 * ```ts
 * import { webhook } from 'flagstage/hono/webhook';
 *
 * app.post('/webhooks/flagsmith', webhook(flags, { secret: env.FLAGSMITH_WEBHOOK_SECRET }));
 * ```
 */
export function webhook(flags: Flagstage, options: WebhookOptions): Handler {
  const handle = webhookHandler(flags, options);
  return function webhook(c) {
    return handle(c.req.raw, waitUntilOf(c));
  };
}
