// One flagstage runtime for the app, over a fixed document: Gastown allowlisted for alice, convoys
// GA under it, molecules admin-only. (A real app uses flagsmithSource or fileSource.)
import { createFlagstage, staticSource } from 'flagstage';
import { flagstageServer } from 'flagstage/next';
import { manifest } from '../../../flags.gen';
import { buildDocument } from '../../../runtime/testing/index';

export const flags = createFlagstage({
  manifest,
  source: staticSource(
    buildDocument(manifest, {
      gastown: { stage: 'allowlist', users: ['u-alice'] },
      convoys: { stage: 'ga' },
    }),
  ),
});

export const { requireFlag, getSnapshot } = flagstageServer(flags, { otherwise: { redirect: '/?denied=server' } });
