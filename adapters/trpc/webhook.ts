import type { Flagstage } from '../../runtime/flagstage';
import type { WaitUntil } from '../../runtime/sources/source';
import { webhookHandler, type WebhookOptions } from '../shared/webhook';

export type { WebhookOptions };

/**
 * Flagsmith's environment webhook for an app served through tRPC's fetch adapter: a
 * `(request, ctx?) => Promise<Response>` to route to before `fetchRequestHandler` (a webhook is not
 * a procedure: Flagsmith signs its calls and has no session). A verified call refreshes
 * `flags.source` at once, so a kill-switch applies on the next request.
 *
 * @example
 * ```ts
 * import { webhook } from 'flagstage/trpc';
 *
 * const flagsmithWebhook = webhook(flags, { secret: env.FLAGSMITH_WEBHOOK_SECRET });
 * export default {
 *   fetch: (req: Request, env: Env, ctx: ExecutionContext) =>
 *     new URL(req.url).pathname === '/webhooks/flagsmith' ? flagsmithWebhook(req, ctx) : fetchRequestHandler({ endpoint: '/trpc', req, router, createContext }),
 * };
 * ```
 */
export function webhook(flags: Flagstage, options: WebhookOptions): (request: Request, context?: WaitUntil) => Promise<Response> {
  return webhookHandler(flags, options);
}
