import { flagsmithWebhook, type FlagsmithWebhookOptions } from 'flagstage/webhook';
import type { Flagstage } from '../../runtime/flagstage';
import type { WaitUntil } from '../../runtime/sources/source';

/** `flagsmithWebhook`'s options; the source is the runtime's own (`flags.source`). */
export type WebhookOptions = Omit<FlagsmithWebhookOptions, 'source'>;

/** The webhook every server adapter mounts: `flagsmithWebhook` on `flags.source`. */
export function webhookHandler(flags: Flagstage, options: WebhookOptions): (request: Request, context?: WaitUntil) => Promise<Response> {
  return flagsmithWebhook({ ...options, source: flags.source });
}
