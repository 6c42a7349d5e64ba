import { describe, expect, it } from 'vitest';
import { diffRollouts } from '../../runtime/policy/changes';
import { readRollout } from '../../runtime/stages/read';
import { buildDocument } from '../../runtime/testing/index';
import { manifest, STAGES } from './setup';

describe('readRollout', () => {
  it('reads back every stage, list, percentage and kill the builder wrote', () => {
    for (const stage of STAGES) {
      for (const killed of [false, true]) {
        const doc = buildDocument(manifest, {
          gastown: { stage, killed, users: ['b', 'a'], orgs: ['o1'], percent: 12.5, by: 'org' },
          convoys: { stage },
        });
        const rollout = readRollout(manifest, doc);
        expect(rollout.gastown).toEqual({ flag: 'gastown', stage, killed, allowlist: { users: ['a', 'b'], orgs: ['o1'] }, percentage: { value: 12.5, by: 'org' } });
        expect(rollout.convoys).toMatchObject({ flag: 'convoys', stage, killed: false });
        expect(rollout.prMerge).toEqual({ flag: 'prMerge', stage: 'admin-only', killed: false, allowlist: { users: [], orgs: [] }, percentage: null });
      }
    }
  });

  it('joins lists split across conditions', () => {
    const users = Array.from({ length: 2500 }, (_, index) => `user-${String(index).padStart(5, '0')}`);
    const doc = buildDocument(manifest, { gastown: { stage: 'allowlist', users } });
    const segment = doc.project.segments.find((s) => s.name === 'flagstage_gastown_allowlist')!;
    const conditions = segment.rules[0]!.conditions;
    expect(conditions.length).toBeGreaterThan(1);
    for (const condition of conditions) expect(condition.value.length).toBeLessThanOrEqual(1000);
    expect(readRollout(manifest, doc).gastown.allowlist.users).toEqual(users);
  });

  it('reads a document without any flagstage objects as admin-only everywhere, a missing kill-switch feature as killed', () => {
    const rollout = readRollout(manifest, { feature_states: [], project: { segments: [] } });
    for (const flag of Object.values(rollout)) expect(flag).toMatchObject({ stage: 'admin-only', percentage: null });
    // A document can only close access it cannot read: gastown_kill_switch is not there, so gastown counts as killed.
    expect(rollout.gastown).toMatchObject({ killed: true, killSwitchMissing: true });
    expect(rollout.convoys).toMatchObject({ killed: false });
  });

  it('diffs two revisions flag by flag', () => {
    const before = buildDocument(manifest, { gastown: { stage: 'allowlist', users: ['u1'] } });
    const after = buildDocument(manifest, { gastown: { stage: 'allowlist', users: ['u1', 'u2'] }, molecules: { stage: 'ga' } });
    expect(diffRollouts(manifest, before, after).map((change) => change.flag)).toEqual(['gastown', 'molecules']);
    expect(diffRollouts(manifest, before, buildDocument(manifest, { gastown: { stage: 'allowlist', users: ['u1'] } }))).toEqual([]);
  });
});
