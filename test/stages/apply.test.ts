import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEnvironment } from '../../runtime/engine/index';
import { allowlistIdProblem, allowlistProblem } from '../../runtime/stages/allowlist';
import { applyRollout, createDocument } from '../../runtime/stages/apply';
import type { StagedDocument } from '../../runtime/stages/document';
import type { FlagDefinition } from '../../runtime/manifest/types';
import { ancestors, lineage, walkParents } from '../../runtime/stages/parents';
import { readRollout } from '../../runtime/stages/read';
import { patchedRollout, rolloutPatch, sameRollout, type RolloutPatch } from '../../runtime/stages/rollout';
import { STAGES, stageAtLeast } from '../../runtime/stages/stages';
import { buildDocument } from '../../runtime/testing/index';
import { manifest } from '../cli/support';

const FLAGS = Object.keys(manifest.flags);

// Ids the allowlist accepts: no commas, not a JSON array, non-empty (some with spaces and unicode).
const id = fc.oneof(fc.stringMatching(/^[a-z0-9_.@-]{1,12}$/), fc.constantFrom('ünï', 'with space', 'x]', '"quoted"', '{}'));
const ids = fc.uniqueArray(id, { maxLength: 6 });
const percentage = fc.record({ value: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0.5, 12.5, 99.9)), by: fc.constantFrom('user' as const, 'org' as const) });

/** A patch for one flag: any subset of stage, kill, allowlist, percentage (kill only where the flag has a kill-switch). */
const patchFor = (flag: string): fc.Arbitrary<RolloutPatch> =>
  fc
    .record(
      {
        stage: fc.constantFrom(...STAGES),
        killed: fc.boolean(),
        allowlist: fc.record({ users: ids, orgs: ids }),
        percentage,
      },
      { requiredKeys: [] },
    )
    .map((patch) => {
      const { killed, ...rest } = patch;
      return manifest.flags[flag]!.killSwitchFeature !== null && killed !== undefined ? { ...rest, killed } : rest;
    });

const flagAndPatch = fc.constantFrom(...FLAGS).chain((flag) => fc.tuple(fc.constant(flag), patchFor(flag)));

/** A document with several flags already rolled out, built by applying random patches. */
const populated: fc.Arbitrary<StagedDocument> = fc.array(flagAndPatch, { maxLength: 8 }).map((steps) => {
  let doc = createDocument(manifest, { apiKey: 'prop-key', revision: '2030-01-01T00:00:00.000Z' });
  for (const [flag, patch] of steps) {
    const before = readRollout(manifest, doc)[flag]!;
    if (patchedRollout(before, patch).stage === 'percentage' && patchedRollout(before, patch).percentage === null) continue;
    doc = applyRollout(doc, manifest, flag, patch);
  }
  return doc;
});

describe('applyRollout then readRollout', () => {
  it('gives back the rollout with the patch applied, on an empty and on a populated document, and touches no other flag', () => {
    const empty = fc.constant(createDocument(manifest, { apiKey: 'prop-key', revision: '2030-01-01T00:00:00.000Z' }));
    fc.assert(
      fc.property(fc.oneof(empty, populated), flagAndPatch, (doc, [flag, patch]) => {
        const before = readRollout(manifest, doc);
        const expected = patchedRollout(before[flag]!, patch);
        fc.pre(!(expected.stage === 'percentage' && expected.percentage === null));
        const next = applyRollout(doc, manifest, flag, patch);
        const after = readRollout(manifest, next);
        expect(after[flag]).toEqual(expected);
        for (const other of FLAGS) if (other !== flag) expect(sameRollout(after[other]!, before[other]!)).toBe(true);
        // The result is a document the engine compiles, and the input was not touched.
        expect(() => compileEnvironment(next)).not.toThrow();
        expect(readRollout(manifest, doc)).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it('writes only what the patch changes: a list change leaves the kill-switch as the document has it', () => {
    const killed = buildDocument(manifest, { gastown: { stage: 'allowlist', users: ['a'], killed: true } });
    const next = applyRollout(killed, manifest, 'gastown', { allowlist: { users: ['a', 'b'], orgs: [] } });
    expect(readRollout(manifest, next).gastown).toMatchObject({ killed: true, stage: 'allowlist', allowlist: { users: ['a', 'b'] } });
    // The patch of a plan made before the kill carries no `killed`, so it cannot undo the kill.
    const planned = readRollout(manifest, buildDocument(manifest, { gastown: { stage: 'allowlist', users: ['a'] } })).gastown!;
    expect(rolloutPatch(planned, { ...planned, allowlist: { users: ['a', 'b'], orgs: [] } })).toEqual({ allowlist: { users: ['a', 'b'], orgs: [] } });
  });
});

describe('sameRollout', () => {
  it('compares lists as sets and every part of the rollout', () => {
    const base = readRollout(manifest, buildDocument(manifest, { gastown: { stage: 'allowlist', users: ['a', 'b'] } })).gastown!;
    expect(sameRollout(base, { ...base, allowlist: { users: ['b', 'a', 'a'], orgs: [] } })).toBe(true);
    expect(sameRollout(base, { ...base, killed: true })).toBe(false);
    expect(sameRollout(base, { ...base, percentage: { value: 1, by: 'user' } })).toBe(false);
    expect(sameRollout({ ...base, percentage: { value: 1, by: 'user' } }, { ...base, percentage: { value: 1, by: 'org' } })).toBe(false);
    expect(sameRollout(base, { ...base, flag: 'convoys' })).toBe(false);
  });
});

describe('stages and parents', () => {
  it('orders the stages once', () => {
    expect(STAGES).toEqual(['admin-only', 'allowlist', 'percentage', 'ga']);
    expect(stageAtLeast('ga', 'percentage')).toBe(true);
    expect(stageAtLeast('allowlist', 'percentage')).toBe(false);
  });

  it('walks parents and reports a cycle instead of looping', () => {
    expect(lineage(manifest, 'convoys')).toEqual(['convoys', 'gastown']);
    expect(ancestors(manifest, 'gastown')).toEqual([]);
    const parents: Record<string, string> = { a: 'b', b: 'c', c: 'a' };
    expect(walkParents('a', (key) => parents[key])).toEqual({ chain: ['a', 'b', 'c'], cycle: ['a', 'b', 'c', 'a'] });
    const broken = { flags: { a: { ...manifest.flags.gastown!, key: 'a' as const, parent: 'ghost' } } };
    expect(() => lineage(broken, 'a')).toThrow(/names parent "ghost", which is not in the manifest/);
    // lineage walks on its own (no walkParents in a gate's bundle): the same messages, word for word.
    const flag = (key: string, parent: string | null) => ({ ...manifest.flags.gastown!, key, parent }) as FlagDefinition<never>;
    const cyclic = { flags: { a: flag('a', 'b'), b: flag('b', 'c'), c: flag('c', 'b') } };
    expect(() => lineage(cyclic, 'a')).toThrow('flagstage: flag "a" has a parent cycle (b -> c -> b)');
    const deep = { flags: { a: flag('a', 'b'), b: flag('b', 'ghost') } };
    expect(() => lineage(deep, 'a')).toThrow('flagstage: flag "b" names parent "ghost", which is not in the manifest');
    expect(() => lineage(deep, 'x' as 'a')).toThrow('flagstage: flag "x" names parent "x", which is not in the manifest');
    const open = { flags: { a: flag('a', 'b'), b: { ...flag('b', null), parent: undefined as unknown as null } } };
    expect(lineage(open, 'a')).toEqual(['a', 'b']);
  });
});

describe('allowlist ids', () => {
  it('refuses what Flagsmith would read as something else, naming the rule', () => {
    expect(allowlistIdProblem('u-1')).toBeNull();
    expect(allowlistIdProblem('["ceo"]')).toMatch(/JSON array/);
    expect(allowlistIdProblem(' [1]')).toMatch(/JSON array/);
    expect(allowlistIdProblem('a,b')).toMatch(/comma/);
    expect(allowlistIdProblem('')).toMatch(/empty/);
    expect(allowlistIdProblem('x'.repeat(1001))).toMatch(/at most 1000/);
    expect(allowlistProblem({ users: ['ok', '["ceo"]'], orgs: [] })).toMatch(/^cannot allowlist user "\[\\"ceo\\"\]"/);
  });

  it('refuses a list over Flagsmith limits with the limit and the alternative', () => {
    const many = Array.from({ length: 101 }, (_, index) => `${index}`.padEnd(600, 'x'));
    expect(allowlistProblem({ users: many, orgs: [] })).toMatch(/101 segment conditions for 101 users and 0 orgs, more than Flagsmith's 100 per segment .*at most 1000 characters.*allow an org instead.*percentage stage/);
  });
});
