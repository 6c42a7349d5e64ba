/**
 * The decision-only path (`compileDecision`, what the policy and so every gate evaluates) against the
 * whole result (`getEvaluationResult`, the conformance path): for every feature of every conformance
 * case and of generated documents, the same `enabled` and the same `reason`, for the cases' own
 * identities and for random ones built from what the contexts test (their IN values, trait names,
 * condition values), so that targeting, priorities, identity overrides and multivariate splits of
 * defaults and of segment overrides are all exercised.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { environmentToContext, getEvaluationResult, type EvaluationContext, type IdentityContext, type SegmentRule, type TraitValue } from 'flagstage/engine';
import { compileDecision } from '../../runtime/engine/decide';
import { toIdentityView } from '../../runtime/engine/identity';
import { document, identity as generatedIdentity } from './arbitraries';
import { conformanceCases } from './fixtures';

const RUNS = Number(process.env.ENGINE_FC_RUNS ?? 400);

type Decided = { enabled: boolean; reason: string } | undefined;

/** Every feature's decision (and a few names no context has), compiled once per context. */
function decisionsOf(context: EvaluationContext): Map<string, ((identity: IdentityContext) => Decided)> {
  const environmentKey = String(context.environment?.key);
  const names = [...Object.values(context.features ?? {}).map((feature) => feature.name), 'no-such-feature', 'constructor', '__proto__'];
  return new Map(
    names.map((name) => {
      const decide = compileDecision(context, name, (enabled, reason) => ({ enabled, reason }));
      return [name, (identity: IdentityContext) => decide?.(toIdentityView(identity, environmentKey))];
    }),
  );
}

/** What the whole result says of each name the decisions answer for. */
function expectSame(context: EvaluationContext, identity: IdentityContext, decisions: Map<string, (identity: IdentityContext) => Decided>): void {
  const { flags } = getEvaluationResult({ ...context, identity });
  for (const [name, decide] of decisions) {
    const flag = Object.prototype.hasOwnProperty.call(flags, name) ? flags[name] : undefined;
    expect(decide(identity), name).toStrictEqual(flag && { enabled: flag.enabled, reason: flag.reason });
  }
}

/** The strings and trait names a context's segments test: random identities drawn from them land in its segments. */
function vocabulary(context: EvaluationContext): { values: string[]; traitNames: string[] } {
  const values = new Set<string>(['', 'x']);
  const traitNames = new Set<string>(Object.keys(context.identity?.traits ?? {}));
  const visit = (rule: SegmentRule) => {
    for (const condition of rule.conditions ?? []) {
      const property = condition.property ?? '';
      const trait = /^\$\.identity\.traits\.(.+)$/.exec(property)?.[1] ?? (property.startsWith('$.') ? null : property);
      if (trait) traitNames.add(trait);
      const raw = condition.value;
      for (const value of Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw, ...raw.split(','), raw.replace(':semver', '')] : []) values.add(String(value));
    }
    for (const sub of rule.rules ?? []) visit(sub);
  };
  for (const segment of Object.values(context.segments ?? {})) for (const rule of segment.rules ?? []) visit(rule);
  if (context.identity) values.add(context.identity.identifier);
  return { values: [...values], traitNames: [...traitNames, 'other'] };
}

function randomIdentity(context: EvaluationContext): fc.Arbitrary<IdentityContext> {
  const { values, traitNames } = vocabulary(context);
  const text = fc.oneof(fc.constantFrom(...values), fc.string({ maxLength: 12 }));
  const value: fc.Arbitrary<TraitValue> = fc.oneof(text, fc.integer({ min: -5, max: 200 }), fc.double({ noNaN: true, min: -1, max: 1e6 }), fc.boolean(), fc.constant(null), text.map(Number));
  const given = context.identity?.key;
  return fc.record(
    {
      identifier: text,
      traits: fc.dictionary(fc.constantFrom(...traitNames), value, { maxKeys: traitNames.length }),
      key: given ? fc.constantFrom(given, 'another-key') : fc.string({ minLength: 1, maxLength: 12 }),
    },
    { requiredKeys: ['identifier', 'traits'] },
  );
}

describe('compileDecision: the decision path gives exactly the whole result\'s enabled and reason', () => {
  it('on every conformance case, for its own identity', () => {
    let compared = 0;
    for (const { name, context, result } of conformanceCases) {
      if (!context.identity) continue;
      const decisions = decisionsOf(context);
      for (const [feature, decide] of decisions) {
        const flag = Object.prototype.hasOwnProperty.call(result.flags, feature) ? result.flags[feature] : undefined;
        expect(decide(context.identity), `${name}: ${feature}`).toStrictEqual(flag && { enabled: flag.enabled, reason: flag.reason });
        if (flag) compared++;
      }
    }
    // Most cases carry an identity; a handful test the environment alone.
    expect(compared).toBeGreaterThan(150);
  });

  it('on every conformance case\'s context, for random identities drawn from what it tests (property)', () => {
    const reasons = new Set<string>();
    for (const { name, context } of conformanceCases) {
      const decisions = decisionsOf(context);
      try {
        fc.assert(
          fc.property(fc.array(randomIdentity(context), { minLength: 1, maxLength: 8 }), (identities) => {
            for (const identity of identities) {
              expectSame(context, identity, decisions);
              for (const decide of decisions.values()) {
                const reason = decide(identity)?.reason;
                if (reason) reasons.add(reason.split(/[;=]/)[0]!);
              }
            }
          }),
          { numRuns: Math.max(10, Math.ceil(RUNS / 20)) },
        );
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
    }
    // Every kind of reason came out: defaults, segment overrides and splits.
    expect([...reasons].sort()).toEqual(['DEFAULT', 'SPLIT', 'TARGETING_MATCH']);
  });

  it('on generated documents (overrides with priorities, identity overrides, multivariate overrides) and identities (property)', () => {
    let splitOverrides = 0;
    fc.assert(
      fc.property(document, fc.array(generatedIdentity, { minLength: 1, maxLength: 6 }), (doc, identities) => {
        const context = environmentToContext(doc);
        const decisions = decisionsOf(context);
        for (const identity of identities) {
          expectSame(context, identity, decisions);
          // A split of a matched segment's override replaces the segment's reason: a policy's answer depends on it.
          const result = getEvaluationResult({ ...context, identity });
          const matched = new Set(result.segments.map((segment) => segment.name));
          for (const flag of Object.values(result.flags)) {
            const overridden = Object.values(context.segments ?? {}).some((segment) => matched.has(segment.name) && segment.overrides?.some((override) => override.name === flag.name));
            if (overridden && flag.reason.startsWith('SPLIT')) splitOverrides++;
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(splitOverrides).toBeGreaterThan(0);
  });
});
