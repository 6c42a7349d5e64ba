// One flagstage runtime for the app, over a fixed document: Gastown allowlisted for alice, convoys
// GA under it, molecules admin-only. (A real app uses flagsmithSource or fileSource.)
import { createFlagstage, staticSource } from 'flagstage';
import { grantVerifier } from 'flagstage/grants';
import { flagstageServer, webhook } from 'flagstage/next';
import { manifest } from '../../../flags.gen';
import { buildDocument } from '../../../runtime/testing/index';

/** The grant secret of the continuing route (a test value). */
export const GRANT_SECRET = 'g'.repeat(32);

export const flags = createFlagstage({
  manifest,
  source: staticSource(
    buildDocument(manifest, {
      gastown: { stage: 'allowlist', users: ['u-alice'] },
      convoys: { stage: 'ga' },
    }),
  ),
});

export const { requireFlag, resolveFlag, getSnapshot } = flagstageServer(flags, { redirectTo: '/?denied=server', grants: { verify: grantVerifier({ secrets: { k1: GRANT_SECRET } }) } });

/** The Flagsmith webhook, mounted at app/webhooks/flagsmith/route.ts. */
export const flagsmithWebhook = webhook(flags, { secret: 'flagsmith-webhook-secret' });
