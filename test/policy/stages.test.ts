import { describe, expect, it } from 'vitest';
import type { Identity } from '../../runtime/identity';
import type { FlagSetup } from '../../runtime/testing/index';
import { admin, deciderFor, flagsFor, KEYS, manifest, STAGES, SUB_FLAGS, user, users, withOpenParent, type Key, type Setup } from './setup';

const population = users(400, (index) => `org${index % 40}`);

/** Every decision for a population, keyed `flag:user`: used to compare before a kill and after a revive. */
async function snapshotOf(setup: Setup, identities: readonly Identity[] = population) {
  const decide = await deciderFor(setup);
  const out: Record<string, string> = {};
  for (const key of KEYS) for (const identity of identities) out[`${key}:${identity.userId}`] = decide(key, identity).reason;
  return out;
}

describe.each(KEYS)('flag %s', (flag) => {
  const at = (setup: FlagSetup) => deciderFor(withOpenParent(flag, setup));

  it('admin-only: only admins are allowed', async () => {
    const decide = await at({ stage: 'admin-only', users: ['u1'], orgs: ['org1'], percent: 100 });
    expect(decide(flag, user('u1', 'org1'))).toMatchObject({ flag, allowed: false, reason: 'not-enabled', stage: 'admin-only', killed: false });
    expect(decide(flag, user('u2'))).toMatchObject({ allowed: false, reason: 'not-enabled' });
    expect(decide(flag, admin())).toMatchObject({ allowed: true, reason: 'admin', stage: 'admin-only' });
  });

  it('allowlist by user: exactly the listed users', async () => {
    const decide = await at({ stage: 'allowlist', users: ['u1', 'u7'], percent: 100 });
    expect(decide(flag, user('u1'))).toMatchObject({ allowed: true, reason: 'allowlist', stage: 'allowlist' });
    expect(decide(flag, user('u7', 'org3'))).toMatchObject({ allowed: true, reason: 'allowlist' });
    expect(decide(flag, user('u2'))).toMatchObject({ allowed: false, reason: 'not-enabled', stage: 'allowlist' });
    // The percentage segment exists at 100 but its override is off below the percentage stage.
    expect(population.filter((identity) => decide(flag, identity).allowed).map((identity) => identity.userId)).toEqual(['u1', 'u7']);
  });

  it('allowlist by org: every member of a listed org, nobody else', async () => {
    const decide = await at({ stage: 'allowlist', orgs: ['org3', 'org5'] });
    for (const identity of population) {
      const inList = identity.orgId === 'org3' || identity.orgId === 'org5';
      expect(decide(flag, identity)).toMatchObject({ allowed: inList, reason: inList ? 'allowlist' : 'not-enabled' });
    }
    expect(decide(flag, user('lonely'))).toMatchObject({ allowed: false, reason: 'not-enabled' });
  });

  it('allowlist survives very long lists split across conditions', async () => {
    const listed = Array.from({ length: 3000 }, (_, index) => `user-with-a-long-identifier-${index}`);
    const decide = await at({ stage: 'allowlist', users: listed });
    for (const id of [listed[0]!, listed[1234]!, listed[2999]!]) expect(decide(flag, user(id)).allowed).toBe(true);
    expect(decide(flag, user('user-with-a-long-identifier-3000')).allowed).toBe(false);
  });

  it.each(['user', 'org'] as const)('percentage by %s ramped 0 -> 10 -> 50 -> 100 and back', async (by) => {
    const ramp = [0, 10, 50, 100, 50, 10, 0];
    const sets: Set<string>[] = [];
    for (const value of ramp) {
      const decide = await at({ stage: 'percentage', percent: value, by });
      const allowed = new Set<string>();
      for (const identity of population) {
        const d = decide(flag, identity);
        if (d.allowed) {
          expect(d).toMatchObject({ reason: 'percentage', stage: 'percentage' });
          allowed.add(identity.userId);
        } else {
          expect(d.reason).toBe('not-enabled');
        }
      }
      sets.push(allowed);
    }
    const [at0, at10, at50, at100, back50, back10, back0] = sets as [Set<string>, Set<string>, Set<string>, Set<string>, Set<string>, Set<string>, Set<string>];
    // Flagsmith's hash puts 1 in 9,999 keys exactly on 0, so "0%" can hold a rare identity.
    expect(at0.size).toBeLessThanOrEqual(by === 'user' ? 2 : 10);
    expect([...at10].every((id) => at50.has(id))).toBe(true);
    expect([...at50].every((id) => at100.has(id))).toBe(true);
    expect(at100.size).toBe(population.length);
    expect(at10.size).toBeGreaterThan(0);
    expect(at50.size).toBeGreaterThan(at10.size);
    // Ramping back down removes only the top of the range: the same sets as on the way up.
    expect(back50).toEqual(at50);
    expect(back10).toEqual(at10);
    expect(back0).toEqual(at0);
  });

  it('percentage keeps allowlisted identities in, whatever their bucket', async () => {
    const decide = await at({ stage: 'percentage', users: population.map((identity) => identity.userId), percent: 0 });
    for (const identity of population) expect(decide(flag, identity)).toMatchObject({ allowed: true, reason: 'allowlist', stage: 'percentage' });
  });

  it('GA: everyone is allowed by the default', async () => {
    const decide = await at({ stage: 'ga', users: ['u1'], percent: 10 });
    for (const identity of [...population, user('no-org')]) expect(decide(flag, identity).allowed).toBe(true);
    expect(decide(flag, user('no-org'))).toMatchObject({ reason: 'ga', stage: 'ga' });
  });

  it.each(STAGES)('kill at %s: only admins, and a revive restores exactly the stage before', async (stage) => {
    const killSwitchOwner = (manifest.flags[flag].killSwitchFeature !== null ? flag : manifest.flags[flag].parent) as Key;
    const rollout: FlagSetup = { stage, users: ['u1'], orgs: ['org2'], percent: 50 };
    const base = withOpenParent(flag, rollout);
    const killed: Setup = { ...base, [killSwitchOwner]: { ...base[killSwitchOwner], killed: true } };

    const decide = await deciderFor(killed);
    for (const identity of population) {
      const d = decide(flag, identity);
      expect(d).toMatchObject({ allowed: false, killed: true, stage });
      // A sub-flag without its own kill-switch is denied through its killed parent.
      expect(d.reason).toBe(killSwitchOwner === flag ? 'killed' : 'parent');
    }
    expect(decide(flag, admin())).toMatchObject({ allowed: true, reason: 'admin', killed: true, stage });

    const before = await snapshotOf(base);
    const revived = await snapshotOf({ ...killed, [killSwitchOwner]: { ...killed[killSwitchOwner], killed: false } });
    expect(revived).toEqual(before);
    expect(Object.values(before)).toContain(stage === 'admin-only' ? 'not-enabled' : stage === 'ga' ? 'ga' : 'allowlist');
  });

  it('admins are allowed at every stage, killed or not', async () => {
    for (const stage of STAGES) {
      for (const killedFlag of [false, true]) {
        const setup: Setup = {};
        for (const key of KEYS) (setup as Record<Key, FlagSetup>)[key] = { stage, killed: killedFlag };
        const decide = await deciderFor(setup);
        expect(decide(flag, admin('root', 'org1'))).toMatchObject({ allowed: true, reason: 'admin', stage, killed: killedFlag });
      }
    }
  });
});

describe.each(SUB_FLAGS)('sub-flag %s', (flag) => {
  it('is denied whenever its parent is denied, even at GA', async () => {
    for (const parentStage of ['admin-only', 'allowlist', 'percentage'] as const) {
      const decide = await deciderFor({ gastown: { stage: parentStage, users: ['u1'], percent: 30 }, [flag]: { stage: 'ga' } });
      for (const identity of population) {
        const parent = decide('gastown', identity);
        const child = decide(flag, identity);
        if (parent.allowed) expect(child).toMatchObject({ allowed: true, reason: 'ga' });
        else expect(child).toMatchObject({ allowed: false, reason: 'parent', stage: 'ga' });
      }
      // u1 is on gastown's allowlist, which is live from the allowlist stage up.
      expect(decide(flag, user('u1')).allowed).toBe(parentStage !== 'admin-only');
    }
  });

  it('is denied for everyone but admins when the parent is killed at GA', async () => {
    const decide = await deciderFor({ gastown: { stage: 'ga', killed: true }, [flag]: { stage: 'ga' } });
    expect(decide(flag, user('u1'))).toMatchObject({ allowed: false, reason: 'parent', killed: true });
    expect(decide(flag, admin())).toMatchObject({ allowed: true, reason: 'admin', killed: true });
  });

  it('keeps its own stage when the parent is open', async () => {
    const decide = await deciderFor({ gastown: { stage: 'ga' }, [flag]: { stage: 'admin-only' } });
    expect(decide(flag, user('u1'))).toMatchObject({ allowed: false, reason: 'not-enabled', stage: 'admin-only' });
    expect(decide('gastown', user('u1'))).toMatchObject({ allowed: true, reason: 'ga' });
  });
});

describe('decisions', () => {
  it('are frozen, say nothing about the identity, and stay apart per flag in one identity memo', async () => {
    const flags = flagsFor({ gastown: { stage: 'percentage', percent: 50, users: ['u1'] }, convoys: { stage: 'allowlist', users: ['u1'] }, multiRig: { stage: 'ga' } });
    const loaded = await flags.source.current();
    const policy = flags.policy(loaded);
    for (const identity of population) {
      const memo = policy.memo();
      // A sub-flag first: its parent's decision lands in the same memo, in its own place.
      const convoys = policy.decide('convoys', identity, memo);
      const gastown = policy.decide('gastown', identity, memo);
      const multiRig = policy.decide('multiRig', identity, memo);
      expect([convoys.flag, gastown.flag, multiRig.flag]).toEqual(['convoys', 'gastown', 'multiRig']);
      expect(gastown).toStrictEqual(policy.decide('gastown', identity));
      expect(convoys).toStrictEqual(policy.decide('convoys', identity));
      expect(policy.decide('convoys', identity, memo)).toBe(convoys);
      for (const decision of [convoys, gastown, multiRig]) {
        expect(Object.isFrozen(decision)).toBe(true);
        expect(JSON.stringify(decision)).not.toContain(identity.userId);
      }
    }
    expect(() => policy.decide('constructor' as Key, user('u1'))).toThrow(/constructor/);
  });
});
