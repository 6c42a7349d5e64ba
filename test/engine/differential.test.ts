/**
 * flagstage's engine against flagsmith-nodejs 8.1.2 on generated documents and identities.
 *
 * flagsmith-nodejs is wrong in three known ways. Each is handled explicitly, never by skipping:
 * - bare trait names in PERCENTAGE_SPLIT never match (it only reads `$.` paths there). The reference
 *   is given the same document with those properties spelled `$.identity.traits.<name>`, and every
 *   case where the bug changed its answer is counted.
 * - a long-lived client keeps an overridden identity's traits between calls (and starts from the
 *   document's `identity_traits`), and
 * - drops falsy trait values (0, '', false, null) of such identities. For both, the test replays
 *   what the client did to the traits and requires that our engine, given those traits, gives
 *   exactly the client's answer; and that with the traits actually passed it gives the correct one.
 * The bug counters must be non-zero at the end, so the handling is known to be exercised.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compileEnvironment, environmentToContext, getEvaluationResult, type EnvironmentDocument, type SegmentRuleDocument, type TraitValue } from 'flagstage/engine';
import { compileDecision } from '../../runtime/engine/decide';
import { toIdentityView } from '../../runtime/engine/identity';
import { document, identity, IDENTIFIERS, traits } from './arbitraries';
import { asSdkFlags, localEvaluationClient, referenceEngine, withoutVariants, type Traits } from './reference';

const RUNS = Number(process.env.ENGINE_FC_RUNS ?? 400);

const observed = {
  bareSplitRewritten: 0,
  bareSplitChangedAnswer: 0,
  keptTraits: 0,
  keptTraitsChangedAnswer: 0,
  droppedFalsy: 0,
  droppedFalsyChangedAnswer: 0,
};

/** The document with bare-name PERCENTAGE_SPLIT properties spelled as paths flagsmith-nodejs reads. */
function forReference(doc: EnvironmentDocument): { doc: EnvironmentDocument; rewritten: number } {
  let rewritten = 0;
  const copy = structuredClone(doc) as EnvironmentDocument;
  const visit = (rule: SegmentRuleDocument) => {
    for (const condition of rule.conditions ?? []) {
      const property = condition.property_;
      if (condition.operator === 'PERCENTAGE_SPLIT' && property && !property.startsWith('$.')) {
        condition.property_ = `$.identity.traits.${property}`;
        rewritten++;
      }
    }
    for (const sub of rule.rules ?? []) visit(sub);
  };
  for (const segment of copy.project.segments ?? []) for (const rule of segment.rules) visit(rule);
  return { doc: copy, rewritten };
}

// A document and a sequence of calls that mostly revisit its overridden identities, where a
// long-lived client goes wrong.
const withCalls = document.chain((doc) => {
  const overridden = (doc.identity_overrides ?? []).map((override) => override.identifier);
  const identifier = overridden.length > 0 ? fc.oneof(fc.constantFrom(...overridden), fc.constantFrom(...IDENTIFIERS)) : fc.constantFrom(...IDENTIFIERS);
  return fc.tuple(fc.constant(doc), fc.array(fc.record({ identifier, traits }), { minLength: 1, maxLength: 6 }));
});

describe('differential: compileEnvironment vs flagsmith-nodejs engine', () => {
  it('gives the reference engine result for every generated document and identity', () => {
    fc.assert(
      fc.property(document, fc.array(identity, { minLength: 1, maxLength: 4 }), (doc, identities) => {
        const environment = compileEnvironment(doc);
        const reference = forReference(doc);
        if (reference.rewritten > 0) observed.bareSplitRewritten++;
        for (const { identifier, traits } of identities) {
          const ours = environment.evaluate({ identifier, traits });
          expect(withoutVariants(ours)).toStrictEqual(referenceEngine(reference.doc, identifier, traits));
          // The compiled path is exactly the conformance path on the document's context.
          expect(ours).toStrictEqual(getEvaluationResult({ ...environmentToContext(doc), identity: { identifier, traits } }));
          if (reference.rewritten > 0) {
            const buggy = referenceEngine(doc, identifier, traits);
            if (JSON.stringify(buggy) !== JSON.stringify(withoutVariants(ours))) observed.bareSplitChangedAnswer++;
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('answers a long sequence of identities on one compiled document as a fresh compile answers each', () => {
    // The compiled document resolves each set of matched segments once and copies it for later
    // identities in the same set (split flags still allocated per identity): the order of calls,
    // and what a caller does to a result, must change nothing.
    fc.assert(
      fc.property(document, fc.array(identity, { minLength: 5, maxLength: 25 }), (doc, identities) => {
        const environment = compileEnvironment(doc);
        const context = environmentToContext(doc);
        // The policy's decision path answers one flag at a time, compiled once for every identity.
        const names = [...Object.keys(context.features ?? {}), 'constructor', 'toString', 'no-such-feature'];
        const decisions = new Map(names.map((name) => [name, compileDecision(context, name, (enabled, reason) => ({ enabled, reason }))]));
        const expected = identities.map(({ identifier, traits }) => getEvaluationResult({ ...context, identity: { identifier, traits } }));
        for (const order of [identities.keys(), [...identities.keys()].reverse()]) {
          for (const i of order) {
            const view = toIdentityView(identities[i]!, context.environment.key);
            for (const name of names) {
              const flag = Object.prototype.hasOwnProperty.call(expected[i]!.flags, name) ? expected[i]!.flags[name]! : undefined;
              expect(decisions.get(name)?.(view)).toStrictEqual(flag && { enabled: flag.enabled, reason: flag.reason });
            }
            const ours = environment.evaluate(identities[i]!);
            expect(ours).toStrictEqual(expected[i]);
            // A caller scribbling on its result does not reach the next identity's.
            (ours.segments as unknown[]).push({ name: 'scribbled' });
            for (const name of Object.keys(ours.flags)) delete (ours.flags as Record<string, unknown>)[name];
            (ours.flags as Record<string, unknown>).scribbled = true;
          }
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('explains a long-lived local-evaluation client exactly, and is right where it is not', async () => {
    await fc.assert(
      fc.asyncProperty(withCalls, async ([doc, calls]) => {
        const environment = compileEnvironment(doc);
        const client = await localEvaluationClient(forReference(doc).doc);
        // What the client stores for identities with overrides: the document's traits, then
        // updated by every call (falsy values delete the trait).
        const stored = new Map<string, Map<string, TraitValue>>();
        for (const override of doc.identity_overrides ?? []) {
          const traits = new Map<string, TraitValue>();
          for (const trait of (override.identity_traits ?? []) as Array<{ trait_key: string; trait_value: TraitValue }>) {
            traits.set(trait.trait_key, trait.trait_value);
          }
          stored.set(override.identifier, traits);
        }
        try {
          for (const { identifier, traits } of calls) {
            const sdk = await client.flags(identifier, traits);
            const correct = asSdkFlags(environment.evaluate({ identifier, traits }));
            const kept = stored.get(identifier);
            if (!kept) {
              expect(sdk).toEqual(correct);
              continue;
            }
            const before = new Map(kept);
            for (const [key, value] of Object.entries(traits)) {
              if (value) kept.set(key, value);
              else kept.delete(key);
            }
            const used: Traits = Object.fromEntries(kept);
            expect(sdk).toEqual(asSdkFlags(environment.evaluate({ identifier, traits: used })));
            const changed = JSON.stringify(sdk) !== JSON.stringify(correct);
            const droppedFalsy = Object.values(traits).some((value) => !value);
            const keptTraits = [...before.keys()].some((key) => !(key in traits) && kept.has(key));
            if (droppedFalsy) observed.droppedFalsy++;
            if (keptTraits) observed.keptTraits++;
            if (changed && droppedFalsy) observed.droppedFalsyChangedAnswer++;
            if (changed && keptTraits) observed.keptTraitsChangedAnswer++;
            // Any difference from the correct answer is one of the two known bugs.
            if (changed) expect(droppedFalsy || keptTraits).toBe(true);
          }
        } finally {
          await client.close();
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  afterAll(() => {
    // Printed so that a run shows how often each known flagsmith-nodejs bug was met.
    console.info('flagsmith-nodejs known bugs met:', observed);
    expect(observed.bareSplitChangedAnswer).toBeGreaterThan(0);
    expect(observed.keptTraits).toBeGreaterThan(0);
    expect(observed.droppedFalsy).toBeGreaterThan(0);
  });
});
