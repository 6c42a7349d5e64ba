// The grant tests, shared by the Node run (grants.test.ts) and the workerd run (grants.workerd.test.ts):
// the runtime's grants must behave the same without nodejs_compat.
import { base64url, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { grantVerifier, issueGrant, verifyGrant, type GrantRefusal } from '../../runtime/grants/index';
import type { Identity } from '../../runtime/identity';
import { prng } from '../helpers/random';

const SECRET = 'k'.repeat(16) + '0123456789abcdef'; // 32 bytes
const OTHER_SECRET = 'o'.repeat(40);
const NOW = Date.UTC(2025, 6, 1, 12, 0, 0);
const clock = (ms: number) => () => ms;
const identity: Identity = { userId: 'u-1', orgId: 'org-9', isAdmin: false };
const secrets = { current: SECRET };
const issue = (overrides: Partial<Parameters<typeof issueGrant>[2]> = {}) =>
  issueGrant(identity, ['gastown', 'convoys'], { secret: SECRET, kid: 'current', ttlSeconds: 600, revision: 'rev-1', now: clock(NOW), ...overrides });
const verify = (token: unknown, now = NOW) => verifyGrant(token, { secrets, now: clock(now) });
const expectError = async (token: unknown, error: GrantRefusal, now = NOW) => expect(await verify(token, now)).toEqual({ ok: false, error });

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';

/** One random edit of a token: replace, insert, delete, swap, truncate, or splice segments around. */
function mutate(token: string, random: () => number): string {
  const pick = (n: number) => Math.floor(random() * n);
  const at = pick(token.length);
  const char = ALPHABET[pick(ALPHABET.length)]!;
  const parts = token.split('.');
  switch (pick(7)) {
    case 0:
      return token.slice(0, at) + char + token.slice(at + 1);
    case 1:
      return token.slice(0, at) + char + token.slice(at);
    case 2:
      return token.slice(0, at) + token.slice(at + 1);
    case 3: {
      const other = pick(token.length);
      const chars = [...token];
      [chars[at], chars[other]] = [chars[other]!, chars[at]!];
      return chars.join('');
    }
    case 4:
      return token.slice(0, at);
    case 5:
      return [parts[pick(3)], parts[pick(3)], parts[pick(3)]].join('.');
    default: {
      // Several edits at once.
      let next = token;
      for (let i = 0, n = 2 + pick(4); i < n; i++) next = next.slice(0, pick(next.length)) + char + next.slice(pick(next.length) + 1);
      return next;
    }
  }
}

export function grantTests(): void {
  describe('grants', () => {
    it('round-trips identity, flags, expiry and revision', async () => {
      const token = await issue();
      const result = await verify(token);
      expect(result).toEqual({
        ok: true,
        grant: { sub: 'u-1', org: 'org-9', flags: ['gastown', 'convoys'], iat: NOW / 1000, exp: NOW / 1000 + 600, revision: 'rev-1', kid: 'current' },
      });
    });

    it('carries a purpose claim and an explicit typ header', async () => {
      const [header, payload] = (await issue()).split('.') as [string, string];
      expect(JSON.parse(new TextDecoder().decode(base64url.decode(header)))).toEqual({ alg: 'HS256', typ: 'flagstage-grant+jwt', kid: 'current' });
      expect(JSON.parse(new TextDecoder().decode(base64url.decode(payload)))).toMatchObject({ purpose: 'flagstage.grant', sub: 'u-1' });
    });

    it('records a missing org and revision as null', async () => {
      const token = await issueGrant({ userId: 'u-2', isAdmin: true }, ['gastown'], { secret: SECRET, kid: 'current', ttlSeconds: 60, now: clock(NOW) });
      const result = await verify(token);
      expect(result.ok && result.grant.org).toBe(null);
      expect(result.ok && result.grant.revision).toBe(null);
    });

    it('verifies with any key of a rotation set, by kid', async () => {
      const old = await issue({ secret: OTHER_SECRET, kid: 'previous' });
      const result = await verifyGrant(old, { secrets: { current: SECRET, previous: OTHER_SECRET }, now: clock(NOW) });
      expect(result.ok).toBe(true);
      await expectError(old, 'unknown-kid');
    });

    it('rejects a tampered payload as bad-signature', async () => {
      const [header, , signature] = (await issue()).split('.');
      const forged = encodeJson({ purpose: 'flagstage.grant', sub: 'attacker', org: null, flags: ['gastown'], iat: NOW / 1000, exp: NOW / 1000 + 1e6, revision: null });
      await expectError(`${header}.${forged}.${signature}`, 'bad-signature');
    });

    it('rejects a token signed with another key under the same kid as bad-signature', async () => {
      await expectError(await issue({ secret: OTHER_SECRET }), 'bad-signature');
    });

    it('rejects an expired token, and accepts it within the clock tolerance', async () => {
      const token = await issue({ ttlSeconds: 60 });
      expect((await verify(token, NOW + 59_999)).ok).toBe(true);
      await expectError(token, 'expired', NOW + 60_000);
      await expectError(token, 'expired', NOW + 3_600_000);
      expect((await verifyGrant(token, { secrets, now: clock(NOW + 61_000), clockToleranceSeconds: 5 })).ok).toBe(true);
    });

    it('rejects a valid JWT minted for another purpose as wrong-purpose', async () => {
      const key = new TextEncoder().encode(SECRET);
      const session = await new SignJWT({ purpose: 'session', flags: ['gastown'] })
        .setProtectedHeader({ alg: 'HS256', typ: 'flagstage-grant+jwt', kid: 'current' })
        .setSubject('u-1').setIssuedAt(NOW / 1000).setExpirationTime(NOW / 1000 + 600).sign(key);
      await expectError(session, 'wrong-purpose');
      const plainJwt = await new SignJWT({ purpose: 'flagstage.grant', org: null, flags: ['gastown'], revision: null })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'current' })
        .setSubject('u-1').setIssuedAt(NOW / 1000).setExpirationTime(NOW / 1000 + 600).sign(key);
      await expectError(plainJwt, 'wrong-purpose');
    });

    it('rejects alg none and other algorithms as bad-signature', async () => {
      const [, payload, signature] = (await issue()).split('.');
      const none = encodeJson({ alg: 'none', typ: 'flagstage-grant+jwt', kid: 'current' });
      await expectError(`${none}.${payload}.`, 'bad-signature');
      await expectError(`${none}.${payload}.${signature}`, 'bad-signature');
      const rs = encodeJson({ alg: 'RS256', typ: 'flagstage-grant+jwt', kid: 'current' });
      await expectError(`${rs}.${payload}.${signature}`, 'bad-signature');
    });

    it('rejects every truncation as malformed', async () => {
      const token = await issue();
      for (let length = 0; length < token.length; length++) await expectError(token.slice(0, length), 'malformed');
    });

    it('rejects random strings and non-strings as malformed', async () => {
      const random = prng(7);
      for (let i = 0; i < 500; i++) {
        const length = Math.floor(random() * 200);
        let text = '';
        for (let j = 0; j < length; j++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
        await expectError(text, 'malformed');
      }
      for (const value of [undefined, null, 42, {}, ['a.b.c'], 'a.b.c', '..', '...']) await expectError(value, 'malformed');
    });

    it('rejects a signature spelled non-canonically (same bytes, different text)', async () => {
      const token = await issue();
      const last = token.at(-1)!;
      const index = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(last);
      const sibling = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[index ^ 1]!;
      expect(base64url.decode(token.slice(token.lastIndexOf('.') + 1, -1) + sibling)).toEqual(base64url.decode(token.split('.')[2]!));
      await expectError(token.slice(0, -1) + sibling, 'malformed');
    });

    it('rejects 10,000 mutated tokens', async () => {
      const token = await issue();
      const random = prng(20250701);
      const seen = new Map<string, number>();
      for (let i = 0; i < 10_000; i++) {
        let mutated = mutate(token, random);
        while (mutated === token) mutated = mutate(token, random);
        const result = await verify(mutated);
        if (result.ok) throw new Error(`mutated token accepted: ${mutated}`);
        seen.set(result.error, (seen.get(result.error) ?? 0) + 1);
      }
      // The mutations exercise every forgery-facing error, not just the format check.
      expect([...seen.keys()].sort()).toEqual(expect.arrayContaining(['bad-signature', 'malformed']));
    });

    it('refuses weak secrets and bad options with a flagstage error', async () => {
      await expect(issue({ secret: 'short' })).rejects.toThrow(/^flagstage: .*at least 32/);
      await expect(issue({ secret: new Uint8Array(31) })).rejects.toThrow(/^flagstage:/);
      await expect(issue({ ttlSeconds: 0 })).rejects.toThrow(/^flagstage:/);
      await expect(issue({ ttlSeconds: 1.5 })).rejects.toThrow(/^flagstage:/);
      await expect(issue({ kid: '' })).rejects.toThrow(/^flagstage:/);
      await expect(verifyGrant(await issue(), { secrets: { current: 'weak' } })).rejects.toThrow(/^flagstage:/);
    });

    it("grantVerifier: verifyGrant for the adapters, fixed secrets checked at construction, others read from the request's context", async () => {
      const token = await issue();
      const fixed = grantVerifier({ secrets, now: clock(NOW) });
      expect(await fixed(token, undefined as never)).toEqual(await verify(token));
      expect(await grantVerifier({ secrets, now: clock(NOW + 601_000) })(token, undefined as never)).toEqual({ ok: false, error: 'expired' });
      expect(await grantVerifier({ secrets: { other: SECRET }, now: clock(NOW) })(token, undefined as never)).toEqual({ ok: false, error: 'unknown-kid' });
      // Secrets from the request (a Worker's env): the context each call passes is the one read.
      const perRequest = grantVerifier<{ env: Record<string, string> }>({ secrets: (c) => ({ current: c.env.GRANT_SECRET! }), now: clock(NOW) });
      expect((await perRequest(token, { env: { GRANT_SECRET: SECRET } })).ok).toBe(true);
      expect(await perRequest(token, { env: { GRANT_SECRET: OTHER_SECRET } })).toEqual({ ok: false, error: 'bad-signature' });
      await expect(perRequest(token, { env: { GRANT_SECRET: 'weak' } })).rejects.toThrow(/^flagstage: .*at least 32/);
      // Configuration mistakes throw at construction, before any request.
      expect(() => grantVerifier({ secrets: { current: 'weak' } })).toThrow(/^flagstage: the grant secret for kid "current" is 4 bytes/);
      expect(() => grantVerifier({ secrets: {} })).toThrow(/^flagstage: .*at least one secret/);
      expect(() => grantVerifier({} as never)).toThrow(/^flagstage: grantVerifier\(\{ secrets \}\) needs/);
    });
  });
}
