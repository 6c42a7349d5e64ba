/**
 * flagstage/webhook: the Flagsmith webhook, off the gate path. `flagsmithWebhook({ secret, source })`
 * is a `Request -> Response` handler that checks `X-Flagsmith-Signature` and refreshes the source at
 * once; `signWebhookBody` signs a body the same way (for tests and for whatever posts webhooks).
 * A Worker that only gates routes never bundles it. Imports no Node built-in.
 */
export { flagsmithWebhook, type FlagsmithWebhookOptions, type WebhookCode } from '../sources/webhook';
export { signWebhookBody } from '../sources/signature';
