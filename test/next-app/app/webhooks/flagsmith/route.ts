import { flagsmithWebhook } from '../../../lib/flags';

export const POST = flagsmithWebhook;
