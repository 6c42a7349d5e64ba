import { describe, expect, it } from 'vitest';
import { compileEnvironment } from 'flagstage/engine';
import { sdkDocuments } from './fixtures';
import {
  asSdkFlags,
  localEvaluationClient,
  referenceEngine,
  referenceOfflineFlags,
  withoutVariants,
  type Traits,
} from './reference';

// The identities flagsmith-nodejs's own SDK tests evaluate these documents for, and a few more that
// reach every branch of them: the identity override, the `age < 40` segment, its boundary, no traits.
const identities: Array<{ identifier: string; traits: Traits }> = [
  { identifier: 'overridden-id', traits: {} },
  { identifier: 'overridden-id', traits: { age: 30 } },
  { identifier: 'identifier', traits: {} },
  { identifier: 'identifier', traits: { age: 30 } },
  { identifier: 'identifier', traits: { age: 39.9 } },
  { identifier: 'identifier', traits: { age: 40 } },
  { identifier: 'identifier', traits: { age: '20' } },
  { identifier: 'identifier', traits: { age: null } },
  { identifier: 'user-2', traits: { age: 50, some_trait: 'some_value' } },
  { identifier: 'ünïcode id/1', traits: { age: 1 } },
];

describe('sdk-test-data documents vs flagsmith-nodejs 8.1.2', () => {
  it('has both documents', () => {
    expect(Object.keys(sdkDocuments).sort()).toEqual(['environment.json', 'offline-environment.json']);
  });

  for (const [file, doc] of Object.entries(sdkDocuments)) {
    describe(file, () => {
      const environment = compileEnvironment(doc);

      it.each(identities.map((identity) => [JSON.stringify(identity), identity] as const))(
        'evaluates %s as the reference engine and SDKs do',
        async (_label, { identifier, traits }) => {
          const ours = environment.evaluate({ identifier, traits });
          expect(withoutVariants(ours)).toStrictEqual(referenceEngine(doc, identifier, traits));
          expect(asSdkFlags(ours)).toEqual(await referenceOfflineFlags(doc, identifier, traits));
          // A fresh local-evaluation client per call: no state from earlier calls (see the
          // differential test for what a long-lived client gets wrong).
          const client = await localEvaluationClient(doc);
          try {
            expect(asSdkFlags(ours)).toEqual(await client.flags(identifier, traits));
          } finally {
            await client.close();
          }
          // The list form of traits is the same identity.
          const list = Object.entries(traits).map(([trait_key, trait_value]) => ({ trait_key, trait_value }));
          expect(environment.evaluate({ identifier, traits: list })).toStrictEqual(ours);
        },
      );

      it('has a revision', () => {
        expect(environment.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(compileEnvironment(structuredClone(doc)).revision).toBe(environment.revision);
      });
    });
  }

  it('evaluates the override, the segment and the 100% variant as expected', () => {
    const environment = compileEnvironment(sdkDocuments['environment.json']!);
    expect(environment.evaluate({ identifier: 'overridden-id' }).flags.some_feature).toMatchObject({
      enabled: false,
      value: 'some-overridden-value',
      reason: 'TARGETING_MATCH; segment=identity_overrides',
    });
    const young = environment.evaluate({ identifier: 'identifier', traits: { age: 30 } });
    expect(young.segments).toEqual([{ name: 'regular_segment', metadata: { source: 'api', id: 1 } }]);
    expect(young.flags.some_feature).toMatchObject({ enabled: false, value: 'segment_override', reason: 'TARGETING_MATCH; segment=regular_segment' });
    expect(young.flags.mv_feature).toMatchObject({ value: 'bar', reason: 'SPLIT; weight=100', variant: null });
  });
});
