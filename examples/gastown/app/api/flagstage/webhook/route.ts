import { flagsmithWebhook } from 'flagstage/webhook';
import { appConfig } from '../../../../lib/config';
import { getFlagSource } from '../../../../lib/flags';

export const dynamic = 'force-dynamic';

let handle: ((request: Request) => Promise<Response>) | null = null;

/** Flagsmith's webhook (here from the control plane, `flagstage serve`): refreshes the document at once on a change. */
export function POST(request: Request): Promise<Response> {
  const webhook = (handle ??= flagsmithWebhook({ secret: appConfig().flagsmithWebhookSecret, source: getFlagSource() }));
  return webhook(request);
}
