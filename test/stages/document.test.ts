import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { compileEnvironment } from '../../runtime/engine/index';
import { applyRollout, createDocument } from '../../runtime/stages/apply';
import type { StagedDocument } from '../../runtime/stages/document';
import { NOBODY_CONDITION } from '../../runtime/stages/naming';
import { readRollout } from '../../runtime/stages/read';
import { nextRevision } from '../../runtime/stages/revision';
import type { FlagRollout } from '../../runtime/stages/rollout';
import { allowlistRules, percentageRules } from '../../runtime/stages/rules';
import type { Stage } from '../../runtime/stages/stages';
import { stableUuid } from '../../runtime/stages/uuid';
import { adminApiSpec } from '../cli/fake-flagsmith/openapi';
import { manifest } from '../cli/support';

const base = () => createDocument(manifest, { apiKey: 'local-test-key', revision: '2030-01-01T00:00:00.000Z' });

function rollout(overrides: Partial<FlagRollout>): FlagRollout {
  return { flag: 'gastown', stage: 'admin-only', killed: false, allowlist: { users: [], orgs: [] }, percentage: null, ...overrides };
}

/** Writes a whole rollout (every part as a patch). */
function writeRollout(doc: StagedDocument, target: FlagRollout): StagedDocument {
  const { flag, stage, killed, allowlist, percentage } = target;
  return applyRollout(doc, manifest, flag, { stage, ...(manifest.flags[flag as 'gastown']?.killSwitchFeature || killed ? { killed } : {}), allowlist, ...(percentage ? { percentage } : {}) });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('the local document writer', () => {
  it('writes real Flagsmith environment documents: the Admin API schema and the engine accept them', () => {
    const full = writeRollout(base(), rollout({ stage: 'percentage', killed: true, allowlist: { users: ['u1'], orgs: ['acme'] }, percentage: { value: 25, by: 'org' } }));
    for (const doc of [base(), full]) {
      expect(adminApiSpec().checkSchema('V1EnvironmentDocumentResponse', doc)).toEqual([]);
      expect(() => compileEnvironment(doc)).not.toThrow();
    }
    const uuids = [...full.feature_states, ...full.project.segments.flatMap((segment) => segment.feature_states)].map((state) => state.featurestate_uuid);
    expect(new Set(uuids).size).toBe(uuids.length);
    for (const uuid of uuids) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('maps every stage as naming.ts says, and the policy reads back exactly what was written', () => {
    const expected: Record<Stage, { default: boolean; allowlist: boolean; percentage: boolean }> = {
      'admin-only': { default: false, allowlist: false, percentage: false },
      allowlist: { default: false, allowlist: true, percentage: false },
      percentage: { default: false, allowlist: true, percentage: true },
      // At GA the overrides stay enabled: a disabled override would switch its segment's members off.
      ga: { default: true, allowlist: true, percentage: true },
    };
    for (const stage of Object.keys(expected) as Stage[]) {
      for (const killed of [false, true]) {
        const wanted = rollout({ stage, killed, allowlist: { users: ['u1', 'u2'], orgs: ['acme'] }, percentage: { value: 10, by: 'user' } });
        const input = deepFreeze(base());
        const doc = writeRollout(input, wanted);
        expect(readRollout(manifest, doc).gastown).toEqual(wanted);
        const override = (name: string) => doc.project.segments.find((segment) => segment.name === name)?.feature_states.find((state) => state.feature.name === 'gastown');
        expect({
          default: doc.feature_states.find((state) => state.feature.name === 'gastown')?.enabled,
          allowlist: override('flagstage_gastown_allowlist')?.enabled,
          percentage: override('flagstage_gastown_percentage')?.enabled,
        }).toEqual(expected[stage]);
        expect(override('flagstage_admins')).toMatchObject({ enabled: true, feature_segment: { priority: 0 } });
        expect(override('flagstage_gastown_allowlist')?.feature_segment).toEqual({ priority: 1 });
        expect(override('flagstage_gastown_percentage')?.feature_segment).toEqual({ priority: 2 });
        expect(doc.feature_states.find((state) => state.feature.name === 'gastown_kill_switch')?.enabled).toBe(killed);
      }
    }
  });

  it('keeps other flags, ids and unknown fields as they were', () => {
    const input = { ...base(), extra_field: 'kept' } as StagedDocument;
    const once = writeRollout(input, rollout({ stage: 'allowlist', allowlist: { users: ['a'], orgs: [] } }));
    const twice = writeRollout(once, rollout({ stage: 'allowlist', allowlist: { users: ['a', 'b'], orgs: [] } }));
    expect((twice as unknown as { extra_field: string }).extra_field).toBe('kept');
    expect(twice.feature_states.map((state) => [state.feature.id, state.django_id])).toEqual(once.feature_states.map((state) => [state.feature.id, state.django_id]));
    expect(readRollout(manifest, twice).convoys).toEqual(readRollout(manifest, input).convoys);
  });

  it('refuses what the document cannot hold', () => {
    expect(() => writeRollout(base(), rollout({ stage: 'percentage' }))).toThrow(/without a percentage/);
    expect(() => writeRollout(base(), { ...rollout({ killed: true }), flag: 'convoys' })).toThrow(/no kill-switch of its own/);
    expect(() => writeRollout(base(), rollout({ flag: 'nope' }))).toThrow(/unknown flag "nope"/);
  });
});

describe('segment rules', () => {
  it('packs ids into conditions of at most 1,000 characters and matches nobody when empty', () => {
    expect(allowlistRules({ users: [], orgs: [] })).toEqual([{ type: 'ANY', rules: [], conditions: [NOBODY_CONDITION] }]);
    const ids = Array.from({ length: 300 }, (_, index) => `user-${index}`);
    const [rule] = allowlistRules({ users: ids, orgs: ['acme', 'globex'] });
    const values = rule?.conditions.map((condition) => condition.value) ?? [];
    expect(values.every((value) => value.length <= 1000)).toBe(true);
    expect(values.slice(0, -1).flatMap((value) => value.split(','))).toEqual(ids);
    expect(rule?.conditions.at(-1)).toEqual({ property_: 'org_id', operator: 'IN', value: 'acme,globex' });
    // Exactly 1,000 characters fit in one condition.
    const exact = ['a'.repeat(499), 'b'.repeat(500)];
    expect(allowlistRules({ users: exact, orgs: [] })[0]?.conditions).toHaveLength(1);
    expect(allowlistRules({ users: [...exact, 'c'], orgs: [] })[0]?.conditions).toHaveLength(2);
  });

  it('refuses ids Flagsmith cannot hold, with the fix', () => {
    expect(() => allowlistRules({ users: ['a,b'], orgs: [] })).toThrow(/may not contain a comma/);
    expect(() => allowlistRules({ users: ['x'.repeat(1001)], orgs: [] })).toThrow(/at most 1000/);
    const hundredAndOne = Array.from({ length: 101 }, (_, index) => `${index}`.padEnd(600, 'x'));
    expect(() => allowlistRules({ users: hundredAndOne, orgs: [] })).toThrow(/would need 101 segment conditions for 101 users and 0 orgs, more than Flagsmith's 100 per segment/);
  });

  it('writes the split as one PERCENTAGE_SPLIT condition', () => {
    expect(percentageRules({ value: 7.5, by: 'user' })).toEqual([{ type: 'ALL', rules: [], conditions: [{ property_: '', operator: 'PERCENTAGE_SPLIT', value: '7.5' }] }]);
  });
});

describe('revisions', () => {
  it('strictly increase, even when the clock does not', () => {
    const first = nextRevision(null, Date.parse('2030-01-01T00:00:00.000Z'));
    const same = nextRevision(first, Date.parse('2030-01-01T00:00:00.000Z'));
    const behind = nextRevision(same, Date.parse('2029-12-31T00:00:00.000Z'));
    expect([first, same, behind]).toEqual(['2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.001Z', '2030-01-01T00:00:00.002Z']);
    expect(nextRevision(behind, Date.parse('2031-01-01T00:00:00.000Z'))).toBe('2031-01-01T00:00:00.000Z');
    expect(stableUuid('x')).toBe(stableUuid('x'));
  });

  it('derives the same UUIDs as the CLI did with node:crypto, so existing documents keep theirs', () => {
    for (const seed of ['x', 'local-key/featurestate/3', 'ü-1']) {
      const hex = createHash('sha256').update(seed).digest('hex');
      expect(stableUuid(seed).replaceAll('-', '').slice(0, 12)).toBe(hex.slice(0, 12));
      expect(stableUuid(seed).slice(-12)).toBe(hex.slice(20, 32));
    }
  });
});
