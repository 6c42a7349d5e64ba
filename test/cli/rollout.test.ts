import { describe, it } from 'vitest';
import { cli } from '../helpers/cli';
import { createFlagstage } from '../../runtime/flagstage';
import { staticSource } from '../../runtime/sources/static';
import { scriptedRollout } from './scripted-rollout';
import { localDocument, manifest, project } from './support';

describe('the scripted rollout on the local backend', () => {
  it('leaves one audit entry per change and explain agrees with the runtime at every step', async () => {
    const dir = project('cli-rollout');
    await cli(dir, ['status']); // creates the document: every flag admin-only
    await scriptedRollout(dir, {}, async () => createFlagstage({ manifest, source: staticSource(localDocument(dir)) }));
  });
});
