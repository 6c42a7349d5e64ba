import { describe, expect, it } from 'vitest';
import { manifest } from '../../flags.gen';
import { createFlagstage } from '../../runtime/flagstage';
import type { DocumentSource } from '../../runtime/sources/source';
import { staticSource } from '../../runtime/sources/static';
import { admin, KEYS, user } from './setup';

describe('no document', () => {
  const flags = createFlagstage({ manifest, source: staticSource(null) });

  it.each(KEYS)('%s: only admins get in, everyone else is denied with no-environment', async (flag) => {
    expect(await flags.decide(flag, admin())).toEqual({ flag, allowed: true, reason: 'admin', stage: 'admin-only', killed: false, revision: null });
    expect(await flags.decide(flag, user('u1', 'o1'))).toEqual({ flag, allowed: false, reason: 'no-environment', stage: 'admin-only', killed: false, revision: null });
  });

  it('gives a snapshot with every flag off for users and on for admins', async () => {
    expect(await flags.snapshot(user('u1'))).toEqual({ revision: null, flags: { gastown: false, convoys: false, prMerge: false, multiRig: false, molecules: false } });
    expect(Object.values((await flags.snapshot(admin())).flags).every(Boolean)).toBe(true);
  });

  it('fails closed when a source breaks its promise and throws', async () => {
    const broken: DocumentSource = { current: () => Promise.reject(new Error('boom')) };
    const warn = console.warn;
    const lines: string[] = [];
    console.warn = (line: string) => lines.push(line);
    try {
      const fragile = createFlagstage({ manifest, source: broken });
      expect(await fragile.decide('gastown', user('u1'))).toMatchObject({ allowed: false, reason: 'no-environment' });
      expect(await fragile.decide('gastown', admin())).toMatchObject({ allowed: true, reason: 'admin' });
    } finally {
      console.warn = warn;
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'flagstage.error', code: 'source-failed', message: expect.stringMatching(/^flagstage: the source threw/) });
  });
});
