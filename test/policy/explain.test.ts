import { describe, expect, it } from 'vitest';
import type { Identity } from '../../runtime/identity';
import type { DecisionReason } from '../../runtime/policy/decision';
import { createFlagstage } from '../../runtime/flagstage';
import { staticSource } from '../../runtime/sources/static';
import { admin, flagsFor, manifest, user, type Key, type Setup } from './setup';
import { explain } from 'flagstage/explain';

const rules = (steps: readonly { rule: string; outcome: string }[]) => steps.map((step) => `${step.rule}:${step.outcome}`);

interface Case {
  readonly reason: DecisionReason;
  readonly setup: Setup | null;
  readonly flag: Key;
  readonly identity: Identity;
  readonly steps: string[];
}

// One case per reason; each asserts the full rule trace.
const cases: Case[] = [
  {
    reason: 'parent',
    setup: { gastown: { stage: 'admin-only' }, convoys: { stage: 'ga' } },
    flag: 'convoys',
    identity: user('u1'),
    steps: ['parent:deny'],
  },
  { reason: 'admin', setup: { gastown: { stage: 'admin-only', killed: true } }, flag: 'gastown', identity: admin(), steps: ['parent:pass', 'admin:allow'] },
  { reason: 'killed', setup: { gastown: { stage: 'ga', killed: true } }, flag: 'gastown', identity: user('u1'), steps: ['parent:pass', 'admin:pass', 'kill-switch:deny'] },
  {
    reason: 'allowlist',
    setup: { gastown: { stage: 'allowlist', orgs: ['o1'] } },
    flag: 'gastown',
    identity: user('u1', 'o1'),
    steps: ['parent:pass', 'admin:pass', 'kill-switch:pass', 'backend:allow'],
  },
  {
    reason: 'percentage',
    setup: { gastown: { stage: 'percentage', percent: 100 } },
    flag: 'gastown',
    identity: user('u1'),
    steps: ['parent:pass', 'admin:pass', 'kill-switch:pass', 'backend:allow'],
  },
  { reason: 'ga', setup: { gastown: { stage: 'ga' } }, flag: 'gastown', identity: user('u1'), steps: ['parent:pass', 'admin:pass', 'kill-switch:pass', 'backend:allow'] },
  {
    reason: 'not-enabled',
    setup: { gastown: { stage: 'allowlist', users: ['someone-else'] } },
    flag: 'gastown',
    identity: user('u1'),
    steps: ['parent:pass', 'admin:pass', 'kill-switch:pass', 'backend:deny'],
  },
  { reason: 'no-environment', setup: null, flag: 'convoys', identity: user('u1'), steps: ['admin:pass', 'environment:deny'] },
];

describe('explain', () => {
  it.each(cases)('explains $reason', async ({ reason, setup, flag, identity, steps }) => {
    const flags = setup === null ? createFlagstage({ manifest, source: staticSource(null) }) : flagsFor(setup);
    const explanation = await explain(flags, flag, identity);
    expect(explanation.decision.reason).toBe(reason);
    expect(explanation.decision).toEqual(await flags.decide(flag, identity));
    expect(rules(explanation.steps)).toEqual(steps);
    expect(explanation.steps.at(-1)!.outcome).toBe(explanation.decision.allowed ? 'allow' : 'deny');
    for (const step of explanation.steps) expect(step.detail.length).toBeGreaterThan(5);
  });

  it('names the segment that matched', async () => {
    const flags = flagsFor({ gastown: { stage: 'allowlist', users: ['u1'] } });
    const e = await explain(flags, 'gastown', user('u1'));
    expect(e.segment).toBe('flagstage_gastown_allowlist');
    expect(e.backendReason).toBe('TARGETING_MATCH; segment=flagstage_gastown_allowlist');
    expect(e.steps.at(-1)!.detail).toContain('flagstage_gastown_allowlist');
    expect(e.rollout).toMatchObject({ flag: 'gastown', stage: 'allowlist', allowlist: { users: ['u1'], orgs: [] } });
    expect((await explain(flags, 'gastown', user('u2'))).segment).toBe(null);
  });

  it('gives the bucket (0-100) for the percentage split, in or out', async () => {
    const flags = flagsFor({ gastown: { stage: 'percentage', percent: 50 } });
    let seenIn = false;
    let seenOut = false;
    for (let i = 0; i < 50; i++) {
      const e = await explain(flags, 'gastown', user(`u${i}`));
      const bucket = e.bucket!;
      expect(bucket.value).toBeGreaterThanOrEqual(0);
      expect(bucket.value).toBeLessThan(100);
      expect(bucket).toMatchObject({ threshold: 50, by: 'user' });
      // The bucket agrees with what the engine decided.
      expect(bucket.inside).toBe(e.decision.allowed);
      // The segment is named only when the identity matched it (inside the split).
      expect(e.segment).toBe(bucket.inside ? 'flagstage_gastown_percentage' : null);
      expect(e.steps.at(-1)!.detail).toContain(`bucket ${bucket.value.toFixed(2)}`);
      if (bucket.inside) seenIn = true;
      else seenOut = true;
    }
    expect(seenIn && seenOut).toBe(true);
  });

  it('gives the org bucket under org bucketing, and none without an org', async () => {
    const flags = flagsFor({ gastown: { stage: 'percentage', percent: 50, by: 'org' } });
    const a = await explain(flags, 'gastown', user('u1', 'acme'));
    const b = await explain(flags, 'gastown', user('u2', 'acme'));
    expect(a.bucket).toMatchObject({ by: 'org', threshold: 50 });
    expect(a.bucket!.value).toBe(b.bucket!.value);
    expect(a.bucket!.inside).toBe(a.decision.allowed);
    expect((await explain(flags, 'gastown', user('u3'))).bucket).toBe(null);
  });

  it('carries the parent trace and the killing ancestor for a sub-flag', async () => {
    const flags = flagsFor({ gastown: { stage: 'ga', killed: true }, molecules: { stage: 'ga' } });
    const e = await explain(flags, 'molecules', user('u1'));
    expect(e.decision).toMatchObject({ reason: 'parent', killed: true });
    expect(e.killedBy).toBe('gastown');
    expect(e.parent!.decision.reason).toBe('killed');
    expect(rules(e.parent!.steps)).toEqual(['parent:pass', 'admin:pass', 'kill-switch:deny']);
    expect(e.steps[0]!.detail).toContain('"gastown"');
  });
});
