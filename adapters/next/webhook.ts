import type { Flagstage } from '../../runtime/flagstage';
import { webhookHandler, type WebhookOptions } from '../shared/webhook';

export type { WebhookOptions };

/**
 * Flagsmith's environment webhook as a Next.js route handler: `export const POST = webhook(flags, { secret })`
 * in `app/webhooks/flagsmith/route.ts` (outside the guarded routes: Flagsmith signs its calls and
 * has no session). A verified call refreshes `flags.source` before answering, so a kill-switch
 * applies on the next request.
 *
 * @example
 * ```ts
 * // app/webhooks/flagsmith/route.ts
 * import { webhook } from 'flagstage/next';
 * export const POST = webhook(getFlags(), { secret: process.env.FLAGSMITH_WEBHOOK_SECRET! });
 * ```
 */
export function webhook(flags: Flagstage, options: WebhookOptions): (request: Request) => Promise<Response> {
  const handle = webhookHandler(flags, options);
  return (request) => handle(request);
}
