import { describe, expect, it } from 'vitest';
import { createFlagstage, staticSource } from 'flagstage';
import { manifest } from '../../flags.gen';
import { buildDocument } from '../../runtime/testing/index';
import { explain } from 'flagstage/explain';

// The runtime entry point in workerd, without nodejs_compat: createFlagstage, the engine and explain.
describe('createFlagstage in workerd', () => {
  it('decides, snapshots and explains on a static document', async () => {
    const flags = createFlagstage({
      manifest,
      source: staticSource(buildDocument(manifest, { gastown: { stage: 'percentage', users: ['u1'], percent: 50 }, convoys: { stage: 'ga' } })),
    });
    const identity = { userId: 'u1', orgId: 'o1', isAdmin: false };
    expect(await flags.decide('gastown', identity)).toMatchObject({ allowed: true, reason: 'allowlist', stage: 'percentage' });
    expect((await flags.snapshot(identity)).flags).toMatchObject({ gastown: true, convoys: true, prMerge: false });
    const e = await explain(flags, 'gastown', { userId: 'u2', isAdmin: false });
    expect(e.bucket!.inside).toBe(e.decision.allowed);
    expect(await flags.decide('gastown', { userId: 'root', isAdmin: true })).toMatchObject({ allowed: true, reason: 'admin' });
  });
});
