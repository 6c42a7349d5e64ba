/**
 * Engine properties that need no reference implementation; run in Node and in workerd.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileEnvironment,
  EngineDocumentError,
  environmentToContext,
  getEvaluationResult,
  percentageBucket,
  type EnvironmentDocument,
} from 'flagstage/engine';
import { document, identity } from './arbitraries';
import { sdkDocuments } from './fixtures';

const base = sdkDocuments['environment.json']!;

/** A document shaped like the ones flagstage provisions: allowlist and percentage segments. */
function stagedDocument(allowlist: string[], percent: number): EnvironmentDocument {
  const chunks: string[] = [];
  for (let i = 0; i < allowlist.length; i += 100) chunks.push(allowlist.slice(i, i + 100).join(','));
  const enabled = (id: number, priority: number) => ({
    feature: { id: 1, name: 'gastown', type: 'STANDARD' },
    enabled: true,
    feature_state_value: null,
    django_id: id,
    feature_segment: { priority },
    multivariate_feature_state_values: [],
  });
  return {
    api_key: 'env-key',
    name: 'Production',
    updated_at: '2026-07-01T10:00:00.000Z',
    feature_states: [{ ...enabled(1, 0), enabled: false, feature_segment: null }],
    project: {
      segments: [
        {
          id: 2,
          name: 'flagstage_gastown_allowlist',
          rules: [{ type: 'ALL', rules: [{ type: 'ANY', rules: [], conditions: chunks.map((value) => ({ operator: 'IN', property_: 'user_id', value })) }], conditions: [] }],
          feature_states: [enabled(2, 0)],
        },
        {
          id: 3,
          name: 'flagstage_gastown_percentage',
          rules: [{ type: 'ALL', rules: [], conditions: [{ operator: 'PERCENTAGE_SPLIT', property_: '', value: String(percent) }] }],
          feature_states: [enabled(3, 1)],
        },
      ],
    },
    identity_overrides: [],
  };
}

function paths(value: unknown, path = ''): string[] {
  const out = [path];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...paths(item, `${path}[${i}]`)));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, path ? `${path}.${key}` : key));
  }
  return out;
}

function setAt(root: unknown, path: string, replacement: unknown): unknown {
  if (path === '') return replacement;
  const steps = path.match(/[^.[\]]+/g)!;
  let node = root as Record<string, unknown>;
  for (const step of steps.slice(0, -1)) node = node[step] as Record<string, unknown>;
  node[steps[steps.length - 1]!] = replacement;
  return root;
}

export function engineSuite(): void {
  describe('percentageBucket', () => {
    it("gives Flagsmith's values", () => {
      // Values computed by flagsmith-nodejs's getHashedPercentageForObjIds.
      expect(percentageBucket(['42', 'ser.abc_user-1'])).toBe(5.85117023404681);
      expect(percentageBucket(['1', 'env_u'])).toBe(24.0248049609922);
      expect(percentageBucket(['segment', 'ünïcødé'])).toBe(39.467893578715746);
      expect(percentageBucket(['', ''])).toBe(51.200240048009604);
      expect(percentageBucket(['a'])).toBe(11.802360472094419);
      // Several MD5 blocks, UTF-8 multi-byte characters, and input longer than the scratch buffer.
      expect(percentageBucket(['long', 'x'.repeat(200)])).toBe(98.12962592518504);
      expect(percentageBucket(['ü'.repeat(100), '🚀'.repeat(50)])).toBe(78.26565313062612);
      expect(percentageBucket(['a'.repeat(600)])).toBe(36.72734546909382);
    });

    it('rehashes with the ids repeated when the hash lands on exactly 100', () => {
      // MD5("12,user-7021") is 9998 modulo 9999.
      expect(percentageBucket(['12', 'user-7021'])).toBe(65.60312062412483);
    });

    it('stays in [0, 100) and handles long and non-ASCII ids', () => {
      fc.assert(
        fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 120 }), { maxLength: 4 }), (parts) => {
          const bucket = percentageBucket(parts);
          expect(bucket).toBeGreaterThanOrEqual(0);
          expect(bucket).toBeLessThan(100);
          expect(percentageBucket([...parts])).toBe(bucket);
        }),
        { numRuns: 60 },
      );
    });
  });

  describe('compileEnvironment', () => {
    it("uses the document's updated_at as its revision", () => {
      expect(compileEnvironment(stagedDocument(['u1'], 10)).revision).toBe('2026-07-01T10:00:00.000Z');
    });

    it('derives a stable revision from the content when there is no updated_at', () => {
      const reordered = Object.fromEntries(Object.entries(base).reverse()) as EnvironmentDocument;
      expect(compileEnvironment(reordered).revision).toBe(compileEnvironment(base).revision);
      expect(compileEnvironment({ ...base, name: 'Other' }).revision).not.toBe(compileEnvironment(base).revision);
    });

    it('names the segments that enabled a flag, as the policy reads them', () => {
      const environment = compileEnvironment(stagedDocument(['u1', 'u2'], 0));
      const listed = environment.evaluate({ identifier: 'u1', traits: { user_id: 'u1' } });
      expect(listed.segments.map((segment) => segment.name)).toEqual(['flagstage_gastown_allowlist']);
      expect(listed.flags.gastown).toEqual({
        name: 'gastown',
        enabled: true,
        value: null,
        reason: 'TARGETING_MATCH; segment=flagstage_gastown_allowlist',
        variant: null,
        metadata: { id: 1 },
      });
      expect(environment.evaluate({ identifier: 'u3', traits: { user_id: 'u3' } }).flags.gastown!.reason).toBe('DEFAULT');
    });

    it('matches an allowlist split over many IN conditions, and the percentage split by bucket', () => {
      const ids = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
      const environment = compileEnvironment(stagedDocument(ids, 30));
      for (const id of ['user-0', 'user-4242', 'user-9999']) {
        expect(environment.evaluate({ identifier: 'x', traits: { user_id: id } }).flags.gastown!.reason).toBe(
          'TARGETING_MATCH; segment=flagstage_gastown_allowlist',
        );
      }
      for (let i = 0; i < 50; i++) {
        const identifier = `outsider-${i}`;
        const inSplit = percentageBucket(['3', `env-key_${identifier}`]) <= 30;
        const { flags } = environment.evaluate({ identifier, traits: { user_id: identifier } });
        expect(flags.gastown!.reason).toBe(inSplit ? 'TARGETING_MATCH; segment=flagstage_gastown_percentage' : 'DEFAULT');
      }
    });

    it('splits on a trait by its bucket, for values that recur, outnumber what is remembered, or are too long to remember', () => {
      // The split's matcher remembers up to 1,024 trait values of at most 64 characters, then starts
      // over; a 65-character value is never remembered.
      const doc = stagedDocument(['nobody'], 40);
      const condition = doc.project.segments![1]!.rules[0]!.conditions![0]!;
      condition.property_ = '$.identity.traits.org';
      const environment = compileEnvironment(doc);
      const recurring = [...Array.from({ length: 600 }, (_, i) => `org-${i}`), 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(65)];
      const others = Array.from({ length: 900 }, (_, i) => `other-${i}`);
      // Recurring values are asked again while remembered, then after 900 others overflowed the memory.
      const rounds = [recurring, recurring, others, recurring, recurring];
      const wrong: string[] = [];
      for (const [round, orgs] of rounds.entries()) {
        for (const org of orgs) {
          const inSplit = percentageBucket(['3', org]) <= 40;
          const { flags } = environment.evaluate({ identifier: `member-of-${org}`, traits: { org } });
          if (flags.gastown!.reason !== (inSplit ? 'TARGETING_MATCH; segment=flagstage_gastown_percentage' : 'DEFAULT')) wrong.push(`${round}: ${org}`);
        }
      }
      expect(wrong).toEqual([]);
      // Both answers occur, so a matcher stuck on one answer fails.
      expect(new Set(recurring.map((org) => percentageBucket(['3', org]) <= 40)).size).toBe(2);
    });

    it('finds each of thousands of overridden identities by lookup, in order with other segments', () => {
      const doc = stagedDocument(['user-7'], 0);
      doc.identity_overrides = Array.from({ length: 5000 }, (_, i) => ({
        identifier: `user-${i}`,
        identity_features: [{ feature: { id: 1, name: 'gastown', type: 'STANDARD' }, enabled: i % 2 === 0, feature_state_value: `value-${i}`, django_id: 100_000 + i }],
      }));
      const environment = compileEnvironment(doc);
      const seventh = environment.evaluate({ identifier: 'user-7', traits: { user_id: 'user-7' } });
      expect(seventh.segments.map((segment) => segment.name)).toEqual(['flagstage_gastown_allowlist', 'identity_overrides']);
      expect(seventh.flags.gastown).toMatchObject({ enabled: false, value: 'value-7', reason: 'TARGETING_MATCH; segment=identity_overrides' });
      expect(environment.evaluate({ identifier: 'user-4242' }).flags.gastown).toMatchObject({ enabled: true, value: 'value-4242' });
      expect(environment.evaluate({ identifier: 'user-5000' }).flags.gastown).toMatchObject({ enabled: false, value: null, reason: 'DEFAULT' });
    });

    it('finds overridden identifiers that are also object keys or indexes, and nobody else by them', () => {
      // Whatever indexes the overrides (a Map, or a prototype-free object asked with Object.hasOwn),
      // identifiers such as `__proto__`, `constructor` or `0` are found as themselves, and inherited
      // names are not found at all.
      const listed = ['__proto__', 'constructor', '0', '12', 'user-1'];
      const doc = stagedDocument(['nobody'], 0);
      doc.identity_overrides = listed.map((identifier, i) => ({
        identifier,
        identity_features: [{ feature: { id: 1, name: 'gastown', type: 'STANDARD' }, enabled: true, feature_state_value: `value-${i}`, django_id: 100_000 + i }],
      }));
      const environment = compileEnvironment(doc);
      listed.forEach((identifier, i) => expect(environment.evaluate({ identifier }).flags.gastown).toMatchObject({ enabled: true, value: `value-${i}` }));
      for (const identifier of ['toString', 'hasOwnProperty', 'valueOf', '012', '12.0', 'user-10', '']) {
        expect(environment.evaluate({ identifier }).flags.gastown).toMatchObject({ enabled: false, reason: 'DEFAULT' });
      }
    });

    it('follows Flagsmith in matching everyone with a rule that has no conditions', () => {
      // A trap for whoever writes segments: an allowlist emptied down to no IN condition at all
      // leaves `ANY []`, which Flagsmith (and so flagstage) treats as matching every identity.
      const environment = compileEnvironment(stagedDocument([], 0));
      expect(environment.evaluate({ identifier: 'anyone' }).flags.gastown!.reason).toBe('TARGETING_MATCH; segment=flagstage_gastown_allowlist');
    });

    it('uses `key` as the hashing key when given', () => {
      const environment = compileEnvironment(stagedDocument(['nobody'], 50));
      for (let i = 0; i < 20; i++) {
        const key = `org-${i}`;
        const expected = percentageBucket(['3', key]) <= 50;
        expect(environment.evaluate({ identifier: 'same-user', key }).flags.gastown!.enabled).toBe(expected);
      }
    });

    it('is the conformance path on the same context', () => {
      fc.assert(
        fc.property(document, identity, (doc, { identifier, traits }) => {
          expect(compileEnvironment(doc).evaluate({ identifier, traits })).toStrictEqual(
            getEvaluationResult({ ...environmentToContext(doc), identity: { identifier, traits } }),
          );
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('purity', () => {
    it('evaluating A, then B, then A gives A the same result both times', () => {
      fc.assert(
        fc.property(document, identity, identity, (doc, a, b) => {
          const environment = compileEnvironment(doc);
          const snapshot = JSON.stringify([a, b]);
          const first = environment.evaluate(a);
          const firstCopy = structuredClone(first);
          // A caller scribbling on a result must not change later results: its `flags` record and
          // `segments` list are its own, and what it shares with other results is frozen.
          for (const [name, flag] of Object.entries(first.flags)) {
            expect(() => ((flag as { enabled: boolean }).enabled = !flag.enabled)).toThrow(TypeError);
            first.flags[name] = { ...flag, enabled: !flag.enabled };
          }
          first.segments.push({ name: 'scribble' });
          for (const segment of first.segments.slice(0, -1)) expect(() => ((segment as { name: string }).name = 'scribble')).toThrow(TypeError);
          environment.evaluate(b);
          const again = environment.evaluate(a);
          expect(again).toStrictEqual(firstCopy);
          expect(again).toStrictEqual(compileEnvironment(doc).evaluate(a));
          // Inputs are never modified.
          expect(JSON.stringify([a, b])).toBe(snapshot);
        }),
        { numRuns: 300 },
      );
    });

    it('accepts frozen inputs', () => {
      const input = Object.freeze({ identifier: 'u1', traits: Object.freeze({ user_id: 'u1' }) });
      expect(compileEnvironment(Object.freeze(stagedDocument(['u1'], 0))).evaluate(input).flags.gastown!.enabled).toBe(true);
    });
  });

  describe('evaluate never throws', () => {
    it('on any identity input', () => {
      const environment = compileEnvironment(stagedDocument(['u1', '1', 'true'], 50));
      const traits = fc.oneof(
        fc.anything(),
        fc.dictionary(fc.string(), fc.anything()),
        fc.array(fc.oneof(fc.anything(), fc.record({ trait_key: fc.anything(), trait_value: fc.anything() }))),
      );
      fc.assert(
        fc.property(fc.oneof(fc.anything(), fc.record({ identifier: fc.anything(), traits, key: fc.anything() }, { requiredKeys: [] })), (input) => {
          const result = environment.evaluate(input as Parameters<typeof environment.evaluate>[0]);
          expect(Object.keys(result.flags)).toEqual(['gastown']);
        }),
        { numRuns: 500 },
      );
    });

    it('on any identity input against generated documents', () => {
      fc.assert(
        fc.property(document, fc.anything(), fc.anything(), (doc, identifier, traits) => {
          const environment = compileEnvironment(doc);
          expect(() => environment.evaluate({ identifier, traits } as Parameters<typeof environment.evaluate>[0])).not.toThrow();
        }),
        { numRuns: 200 },
      );
    });

    it('on huge traits', () => {
      const doc = stagedDocument(['u1'], 50);
      doc.project.segments = [
        ...(doc.project.segments ?? []),
        {
          id: 9,
          name: 'big',
          rules: [
            {
              type: 'ANY',
              rules: [],
              conditions: [
                { operator: 'REGEX', property_: 'blob', value: '^a+$' },
                { operator: 'PERCENTAGE_SPLIT', property_: 'blob', value: '50' },
                { operator: 'CONTAINS', property_: 'blob', value: 'b' },
                { operator: 'EQUAL', property_: 'version', value: '1.0.0:semver' },
              ],
            },
          ],
        },
      ];
      const environment = compileEnvironment(doc);
      const many: Record<string, string> = {};
      for (let i = 0; i < 100_000; i++) many[`trait_${i}`] = `value_${i}`;
      const blob = 'a'.repeat(1_000_000);
      const result = environment.evaluate({ identifier: 'x'.repeat(100_000), traits: { ...many, blob, version: `1.0.0-${'x'.repeat(10_000)}` } });
      expect(result.segments.map((segment) => segment.name)).toContain('big');
      const list = Object.entries(many).map(([trait_key, trait_value]) => ({ trait_key, trait_value }));
      expect(() => environment.evaluate({ identifier: 'y', traits: list })).not.toThrow();
    });
  });

  describe('malformed documents', () => {
    const cases: Array<[string, (doc: Record<string, any>) => unknown, string]> = [
      ['not an object', () => null, 'flagstage: invalid environment document: expected an object, got null'],
      ['no feature_states', (doc) => void delete doc.feature_states, 'flagstage: invalid environment document at feature_states: expected an array, got nothing'],
      ['a feature name that is not a string', (doc) => (doc.feature_states[1].feature.name = 5), 'at feature_states[1].feature.name: expected a string, got number 5'],
      ['enabled that is not a boolean', (doc) => (doc.feature_states[0].enabled = 'yes'), 'at feature_states[0].enabled: expected a boolean, got "yes"'],
      ['an object as a value', (doc) => (doc.feature_states[0].feature_state_value = {}), 'at feature_states[0].feature_state_value: expected a string, number, boolean or null, got an object'],
      [
        'a percentage that is not a number',
        (doc) => (doc.feature_states[1].multivariate_feature_state_values[0].percentage_allocation = '50'),
        'at feature_states[1].multivariate_feature_state_values[0].percentage_allocation: expected a number, got "50"',
      ],
      [
        'a bad variant UUID',
        (doc) => Object.assign(doc.feature_states[1].multivariate_feature_state_values[0], { id: null, mv_fs_value_uuid: 'not-a-uuid' }),
        'at feature_states[1].multivariate_feature_state_values[0].mv_fs_value_uuid: expected a UUID, got "not-a-uuid"',
      ],
      ['no project', (doc) => void delete doc.project, 'at project: expected an object, got nothing'],
      ['segments that are not a list', (doc) => (doc.project.segments = {}), 'at project.segments: expected an array, got an object'],
      ['a segment without rules', (doc) => void delete doc.project.segments[0].rules, 'at project.segments[0].rules: expected an array, got nothing'],
      ['an unknown rule type', (doc) => (doc.project.segments[0].rules[0].rules[0].type = 'SOME'), 'at project.segments[0].rules[0].rules[0].type: unknown rule type "SOME"'],
      [
        'an unknown operator',
        (doc) => (doc.project.segments[0].rules[0].rules[0].conditions[0].operator = 'FOO'),
        'flagstage: invalid environment document at project.segments[0].rules[0].rules[0].conditions[0].operator: unknown operator "FOO"',
      ],
      ['a numeric condition value', (doc) => (doc.project.segments[0].rules[0].rules[0].conditions[0].value = 40), 'at project.segments[0].rules[0].rules[0].conditions[0].value: expected a string, got number 40'],
      ['an identity override without identifier', (doc) => void delete doc.identity_overrides[0].identifier, 'at identity_overrides[0].identifier: expected a string, got nothing'],
      ['a bad identity feature', (doc) => (doc.identity_overrides[0].identity_features[0].feature = 'f'), 'at identity_overrides[0].identity_features[0].feature: expected an object, got "f"'],
    ];

    it.each(cases)('rejects %s, naming the path', (_name, mutate, message) => {
      const doc = structuredClone(base) as Record<string, any>;
      const replaced = mutate(doc);
      const input = (replaced === null ? null : doc) as EnvironmentDocument;
      let error: unknown;
      try {
        compileEnvironment(input);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(EngineDocumentError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message.startsWith('flagstage: ')).toBe(true);
    });

    it('either compiles or names a path at or under the damaged field', () => {
      fc.assert(
        fc.property(
          document.chain((doc) => fc.tuple(fc.constant(doc), fc.constantFrom(...paths(doc)), fc.anything())),
          ([doc, path, replacement]) => {
            const damaged = setAt(structuredClone(doc), path, replacement) as EnvironmentDocument;
            try {
              const environment = compileEnvironment(damaged);
              expect(() => environment.evaluate({ identifier: 'user-1', traits: { plan: 'pro' } })).not.toThrow();
            } catch (error) {
              expect(error).toBeInstanceOf(EngineDocumentError);
              const at = (error as EngineDocumentError).path;
              expect(path === '' || at === path || at.startsWith(`${path}.`) || at.startsWith(`${path}[`)).toBe(true);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });
}
