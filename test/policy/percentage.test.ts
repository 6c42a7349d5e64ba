import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../runtime/identity';
import type { Decision } from '../../runtime/policy/decision';
import { deciderFor, user, type Key } from './setup';
import { prng } from '../helpers/random';

type Decide = (flag: Key, identity: Identity) => Decision<Key>;

const randomId = (random: () => number) => `${Math.floor(random() * 2 ** 32).toString(36)}-${Math.floor(random() * 2 ** 32).toString(36)}`;

describe('percentage stage', () => {
  const thresholds = [0, 1, 5, 10, 12.5, 25, 33, 50, 66.6, 75, 90, 99, 100];
  const byUser = new Map<number, Decide>();
  const byOrg = new Map<number, Decide>();

  beforeAll(async () => {
    for (const value of thresholds) {
      byUser.set(value, await deciderFor({ gastown: { stage: 'percentage', percent: value, by: 'user' } }));
      byOrg.set(value, await deciderFor({ gastown: { stage: 'percentage', percent: value, by: 'org' } }));
    }
  });

  it('ramping up never removes anyone already in (property)', () => {
    const threshold = fc.constantFrom(...thresholds);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }), threshold, threshold, (userId, orgId, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        for (const table of [byUser, byOrg]) {
          const identity = user(userId, orgId);
          if (table.get(low)!('gastown', identity).allowed) expect(table.get(high)!('gastown', identity).allowed).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([10, 50])('over 100k random users, the share is within 1 point of %i percent', async (value) => {
    const decide = byUser.get(value)!;
    const random = prng(value);
    let inside = 0;
    const total = 100_000;
    for (let i = 0; i < total; i++) if (decide('gastown', user(randomId(random))).allowed) inside++;
    expect(Math.abs((inside / total) * 100 - value)).toBeLessThan(1);
  });

  it('puts every member of an org on the same side under org bucketing', () => {
    const random = prng(42);
    for (const value of [10, 50, 90]) {
      const decide = byOrg.get(value)!;
      let orgsIn = 0;
      for (let org = 0; org < 300; org++) {
        const sides = new Set<boolean>();
        for (let member = 0; member < 20; member++) sides.add(decide('gastown', user(randomId(random), `org-${org}`)).allowed);
        expect(sides.size).toBe(1);
        if (sides.has(true)) orgsIn++;
      }
      expect(Math.abs((orgsIn / 300) * 100 - value)).toBeLessThan(8);
    }
  });

  it('leaves identities without an org out of an org-bucketed split, even at 100', () => {
    expect(byOrg.get(100)!('gastown', user('u1'))).toMatchObject({ allowed: false, reason: 'not-enabled' });
    expect(byOrg.get(100)!('gastown', user('u1', ''))).toMatchObject({ allowed: false, reason: 'not-enabled' });
    expect(byOrg.get(100)!('gastown', user('u1', 'o1'))).toMatchObject({ allowed: true, reason: 'percentage' });
  });

  it('buckets users independently of their org under user bucketing', () => {
    const decide = byUser.get(50)!;
    const random = prng(9);
    for (let i = 0; i < 500; i++) {
      const id = randomId(random);
      expect(decide('gastown', user(id, 'org-a')).allowed).toBe(decide('gastown', user(id, 'org-b')).allowed);
    }
  });
});
