// Admin sessions, sign-in links and CSRF tokens (control/admin/session.ts), and the effect texts the
// page shows before a change (control/admin/effects.ts).
import { describe, expect, it } from 'vitest';
import { createSignInLink, csrfToken, redeemSignInCode, signSession, verifyCsrfToken, verifySession, type SessionOptions } from '../../control/admin/session';
import { audience, blockedByParent, percentEffect, stageEffect } from '../../control/admin/effects';
import type { FlagStatus } from '../../control/admin/backend';
import { splitIds } from '../../control/admin/page';

const secret = 'a-test-secret-that-is-long-enough-1234';

describe('admin sessions', () => {
  it('a sign-in link gives a session once, which verifies until it expires', async () => {
    const { code, link } = await createSignInLink({ actor: 'local:ana', role: 'owner' });
    const options: SessionOptions = { secret, signInLinks: [link], maxAgeMs: 60_000 };
    const credential = await redeemSignInCode(options, code, 1_000);
    expect(credential).toMatch(/^fsa_/);
    expect(await redeemSignInCode(options, code, 1_001)).toBeNull();
    expect(await verifySession(options, credential!, 2_000)).toMatchObject({ actor: 'local:ana', role: 'owner' });
    expect(await verifySession(options, credential!, 61_000)).toBeNull();
  });

  it('refuses unknown and expired links', async () => {
    const { code, link } = await createSignInLink({ actor: 'a', role: 'viewer', ttlMs: 10, now: 0 });
    expect(await redeemSignInCode({ secret, signInLinks: [link] }, 'fsl_nope', 0)).toBeNull();
    expect(await redeemSignInCode({ secret, signInLinks: [link] }, code, 11)).toBeNull();
  });

  it('refuses a session signed with another secret, or with its payload changed', async () => {
    const session = { actor: 'local:ana', role: 'viewer' as const, expiresAt: 10_000, nonce: 'n' };
    const credential = await signSession({ secret }, session);
    expect(await verifySession({ secret: `${secret}-other` }, credential, 0)).toBeNull();
    const [payload, mac] = credential.slice(4).split('.');
    const promoted = btoa(JSON.stringify({ a: 'local:ana', r: 'owner', e: 10_000, n: 'n' })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    expect(payload).not.toBe(promoted);
    expect(await verifySession({ secret }, `fsa_${promoted}.${mac}`, 0)).toBeNull();
    expect(await verifySession({ secret }, 'fsa_garbage', 0)).toBeNull();
  });

  it('binds CSRF tokens to their subject', async () => {
    const token = await csrfToken({ secret }, 'session:one');
    expect(await verifyCsrfToken({ secret }, 'session:one', token)).toBe(true);
    expect(await verifyCsrfToken({ secret }, 'session:two', token)).toBe(false);
    expect(await verifyCsrfToken({ secret }, 'session:one', '')).toBe(false);
    expect(await verifyCsrfToken({ secret }, 'session:one', `${token.slice(0, -2)}AA`)).toBe(false);
  });
});

const flag = (over: Partial<FlagStatus>): FlagStatus => ({
  flag: 'gastown',
  feature: 'gastown',
  parent: null,
  stage: 'admin-only',
  killed: false,
  killedBy: null,
  allowlist: { users: [], orgs: [] },
  percentage: null,
  lastChange: null,
  ...over,
});

describe('admin effects', () => {
  it('spells out who a stage lets in', () => {
    expect(audience(flag({ stage: 'percentage', allowlist: { users: ['a', 'b'], orgs: ['acme'] }, percentage: { value: 30, by: 'user' } }))).toBe(
      'percentage 30% by user: about 30% of signed-in users, plus 2 users and 1 org on the allowlist, plus admins',
    );
    expect(audience(flag({ stage: 'ga' }))).toBe('GA: everyone signed in');
  });

  it('says ramping up removes nobody and ramping down asks', () => {
    const at30 = flag({ stage: 'percentage', percentage: { value: 30, by: 'user' } });
    expect(percentEffect(at30, 60, 'user')).toMatchObject({ down: false });
    expect(percentEffect(at30, 60, 'user').lines[0]).toContain('never removes anyone');
    expect(percentEffect(at30, 10, 'user').down).toBe(true);
    expect(percentEffect(at30, 30, 'org').down).toBe(true);
    expect(percentEffect(flag({ stage: 'allowlist', percentage: { value: 30, by: 'user' } }), 10, 'user').down).toBe(false);
  });

  it('says why raising a sub-flag under an admin-only parent changes nothing', () => {
    const parent = flag({});
    const child = flag({ flag: 'convoys', parent: 'gastown' });
    expect(blockedByParent(child, [parent, child])).toContain('raising convoys changes nothing');
    expect(stageEffect(child, 'ga', [parent, child]).join('\n')).toContain('raising convoys changes nothing');
    expect(blockedByParent(child, [flag({ stage: 'allowlist' }), child])).toBeNull();
  });

  it('splits pasted IDs on lines and commas, keeping spaces inside an ID', () => {
    expect(splitIds('a\nb, c\r\n\n d e ,a')).toEqual(['a', 'b', 'c', 'd e']);
  });
});
