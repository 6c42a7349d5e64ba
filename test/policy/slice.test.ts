import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEnvironment, environmentToContext, type EnvironmentDocument } from '../../runtime/engine/index';
import { compileContext, evaluateCompiled } from '../../runtime/engine/compile';
import { EngineDocumentError } from '../../runtime/engine/errors';
import { toIdentityView } from '../../runtime/engine/identity';
import { toEngineIdentity } from '../../runtime/policy/traits';
import { buildDocument } from '../../runtime/testing/index';
import { manifest } from './setup';
import { createFlagstage } from '../../runtime/flagstage';
import { staticSource } from '../../runtime/sources/static';
import { flagsmithBackend } from '../../runtime/policy/flagsmith-backend';
import { percentageSegmentName } from '../../runtime/stages/naming';
import type { FlagResult } from '../../runtime/engine/types';

/** Gastown's flags plus what a dashboard user might add: a hand-made segment and identity overrides. */
function documentWithExtras(): EnvironmentDocument {
  const doc = buildDocument(manifest, {
    gastown: { stage: 'percentage', users: ['u1'], orgs: ['o2'], percent: 30 },
    convoys: { stage: 'allowlist', orgs: ['o1'], percent: 60, by: 'org' },
    prMerge: { stage: 'ga', percent: 20 },
    multiRig: { stage: 'percentage', percent: 45, by: 'org' },
  });
  const featureRef = (name: string) => doc.feature_states.find((state) => state.feature.name === name)!.feature;
  const state = (name: string, enabled: boolean, priority: number | null, id: number) => ({
    feature: featureRef(name),
    enabled,
    feature_state_value: null,
    django_id: id,
    featurestate_uuid: null,
    multivariate_feature_state_values: [],
    feature_segment: priority === null ? null : { priority },
  });
  const segments = [
    ...doc.project.segments,
    {
    id: 900,
    name: 'beta_testers',
    rules: [{ type: 'ALL', rules: [], conditions: [{ operator: 'EQUAL', property_: 'plan', value: 'beta' }] }],
    feature_states: [state('gastown', false, 1, 9001), state('molecules', true, 5, 9002)],
    },
  ];
  const identityOverrides = [
    { identifier: 'u3', identity_features: [state('gastown', true, null, 9101), state('convoys', false, null, 9102)] },
    { identifier: 'u4', identity_features: [state('molecules', true, null, 9103)] },
  ];
  return { ...doc, project: { ...doc.project, segments }, identity_overrides: identityOverrides };
}

describe('environmentToContext(document, feature): one feature\'s slice', () => {
  it('gives every feature the same flag as the whole document (property)', () => {
    const doc = documentWithExtras();
    const whole = compileEnvironment(doc);
    const features = Object.values(manifest.flags).map((flag) => flag.feature);
    // Evaluated as the Flagsmith backend does: compiled, with the identity's view (key `<api key>_<id>`).
    const slices = new Map(features.map((feature) => [feature, compileContext(environmentToContext(doc, feature))]));
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom('u1', 'u2', 'u3', 'u4'), fc.string({ minLength: 1 })),
        fc.option(fc.constantFrom('o1', 'o2', 'o3'), { nil: undefined }),
        fc.boolean(),
        fc.option(fc.constantFrom('beta', 'pro'), { nil: undefined }),
        (userId, orgId, isAdmin, plan) => {
          const input = toEngineIdentity({ userId, orgId: orgId ?? null, isAdmin, ...(plan ? { traits: { plan } } : {}) });
          const all = whole.evaluate(input).flags;
          for (const feature of features) expect(evaluateCompiled(slices.get(feature)!, toIdentityView(input, doc.api_key)).flags[feature]).toEqual(all[feature]);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads and validates only what the feature uses: unrelated garbage is left out, its own is an error at the document\'s path', () => {
    const doc = documentWithExtras() as unknown as { feature_states: unknown[]; project: { segments: unknown[] }; identity_overrides: unknown[] };
    doc.feature_states.push(7, { feature: null }, { feature: { name: 'elsewhere' }, enabled: 'no' });
    doc.project.segments.push({ id: 998, name: 'junk', rules: 'not rules', feature_states: [{ feature: { name: 'molecules' } }] }, null);
    doc.identity_overrides.push({ identifier: 7, identity_features: [{ feature: { name: 'molecules' } }] }, 'junk');
    const input = toIdentityView(toEngineIdentity({ userId: 'u3', orgId: null, isAdmin: false }), (doc as never as { api_key: string }).api_key);
    const before = evaluateCompiled(compileContext(environmentToContext(documentWithExtras(), 'gastown')), input).flags.gastown;
    expect(evaluateCompiled(compileContext(environmentToContext(doc as never, 'gastown')), input).flags.gastown).toEqual(before);
    expect(before).toMatchObject({ enabled: true, reason: 'TARGETING_MATCH; segment=identity_overrides' });
    // The whole document reads everything, and so does the slice of a feature the garbage uses.
    expect(() => environmentToContext(doc as never)).toThrow(EngineDocumentError);
    const segments = doc.project.segments.length;
    expect(() => environmentToContext(doc as never, 'molecules')).toThrow(`invalid environment document at project.segments[${segments - 2}].rules: expected an array, got "not rules"`);
  });

  it('an identity override decides as an allowlist (it is a segment named identity_overrides)', async () => {
    const flags = createFlagstage({ manifest, source: staticSource(documentWithExtras()), logChanges: false });
    // u3 is overridden on (gastown) and off (convoys); convoys' org allowlist would let o1 in.
    expect(await flags.decide('gastown', { userId: 'u3', isAdmin: false })).toMatchObject({ allowed: true, reason: 'allowlist' });
    expect(await flags.decide('convoys', { userId: 'u3', orgId: 'o1', isAdmin: false })).toMatchObject({ allowed: false, reason: 'not-enabled' });
  });

  it('answers every flag with the whole result\'s enabled and reason, mapped as documented, also where an override is split (property)', () => {
    // Every segment's and identity's override gets two variants: a split of an override replaces the
    // segment's reason with `SPLIT; weight=…`, which maps to `ga`, and the decision path must agree.
    const doc = documentWithExtras();
    const split = (state: { multivariate_feature_state_values: unknown[] }, id: number) => {
      state.multivariate_feature_state_values = [30, 40].map((weight, i) => ({ id: id * 10 + i, percentage_allocation: weight, multivariate_feature_option: { value: `v${i}` } }));
    };
    let id = 1;
    for (const segment of doc.project.segments ?? []) for (const state of segment.feature_states ?? []) split(state as never, id++);
    for (const override of doc.identity_overrides ?? []) for (const state of override.identity_features ?? []) split(state as never, id++);
    const whole = compileEnvironment(doc);
    const backend = flagsmithBackend(manifest, { revision: 'r1', document: doc });
    const mapped = (feature: string, { enabled, reason }: FlagResult) => {
      const segment = reason.startsWith('TARGETING_MATCH; segment=') ? reason.slice('TARGETING_MATCH; segment='.length) : null;
      const by = !enabled ? null : segment === percentageSegmentName(feature) ? 'percentage' : segment !== null ? 'allowlist' : 'ga';
      return { enabled, by, segment, detail: reason };
    };
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom('u1', 'u2', 'u3', 'u4'), fc.string({ minLength: 1 })),
        fc.option(fc.constantFrom('o1', 'o2', 'o3'), { nil: undefined }),
        fc.option(fc.constantFrom('beta', 'pro'), { nil: undefined }),
        (userId, orgId, plan) => {
          const identity = { userId, orgId: orgId ?? null, isAdmin: false, ...(plan ? { traits: { plan } } : {}) };
          const all = whole.evaluate(toEngineIdentity(identity)).flags;
          const evaluation = backend.evaluate(identity);
          for (const [flag, { feature }] of Object.entries(manifest.flags) as Array<[keyof typeof manifest.flags, { feature: string }]>) {
            const answer = evaluation.answer(flag);
            expect(answer).toStrictEqual(mapped(feature, all[feature]!));
            seen.add(`${answer.by}:${answer.detail.split(/[;=]/)[0]}`);
          }
        },
      ),
      { numRuns: 3000 },
    );
    // Allowed by the percentage segment, by other segments and by a split of an override (ga), and denied.
    for (const kind of ['percentage:TARGETING_MATCH', 'allowlist:TARGETING_MATCH', 'ga:SPLIT', 'null:TARGETING_MATCH']) expect(seen).toContain(kind);
  });
});
