import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestRevision, documentRevision } from '../../runtime/engine/revision';
import { staticSource } from '../../runtime/sources/static';
import { manifest } from '../../flags.gen';
import { createFlagstage } from '../../runtime/flagstage';
import type { SourceError } from '../../runtime/sources/errors';
import { flagsmithSource } from '../../runtime/sources/flagsmith';
import { compareRevisions, revisionInstant } from '../../runtime/sources/revision';
import { gastownDocument, type Doc } from './documents';
import { fakeClock, fakeOrigin } from './fake-origin';

const alice = { userId: 'alice', isAdmin: false };

/** Every spelling of 2023-07-14 16:12:00 UTC that Flagsmith (Django, its SDKs' data, Python's isoformat) writes. */
const SAME_INSTANT = [
  '2023-07-14 16:12:00.000000', // the SDK test data's own spelling: a space, microseconds, no zone (UTC)
  '2023-07-14T16:12:00Z',
  '2023-07-14T16:12:00.000Z',
  '2023-07-14T16:12:00.000000Z',
  '2023-07-14T16:12:00.000000000000Z', // more than 9 fractional digits
  '2023-07-14T16:12:00+00:00',
  '2023-07-14T16:12:00.000000+00:00',
  '2023-07-14T18:12:00+02:00',
  '2023-07-14T11:12:00.0-0500',
  '2023-07-14T16:12:00,000Z',
  '2023-07-14t16:12:00z',
  '2023-07-14T16:12Z',
];

describe('revisions: every form Flagsmith emits', () => {
  it('two spellings of the same instant are the same revision', () => {
    for (const a of SAME_INSTANT) for (const b of SAME_INSTANT) expect(compareRevisions(a, b), `${a} vs ${b}`).toBe(0);
  });

  it('orders by the instant, with any number of fractional digits', () => {
    expect(compareRevisions('2026-01-01T00:00:00.000001Z', '2026-01-01T00:00:00.000002Z')).toBeLessThan(0);
    expect(compareRevisions('2026-01-01T00:00:00.0000000001Z', '2026-01-01T00:00:00Z')).toBeGreaterThan(0);
    expect(compareRevisions('2026-01-01T00:00:00.1234567891Z', '2026-01-01T00:00:00.123456789Z')).toBeGreaterThan(0);
    expect(compareRevisions('2026-01-01T00:00:00.9999999999999Z', '2026-01-01T00:00:01Z')).toBeLessThan(0);
    expect(compareRevisions('2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00.000000001Z')).toBeLessThan(0);
    expect(compareRevisions('2025-12-31T23:59:59.999999Z', '2026-01-01 00:00:00')).toBeLessThan(0);
  });

  it('refuses what is not a timestamp: nothing says which is older', () => {
    for (const bad of ['', 'yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T25:00:00Z', '2026-01-01T00:00:00+25:00', 'sha256:abcd', '1767225600']) {
      expect(revisionInstant(bad), bad).toBeNull();
      expect(compareRevisions(bad, '2026-01-01T00:00:00Z'), bad).toBeNull();
    }
  });
});

/** A source on a fake origin, its runtime, the errors it reports, and a way to move past its ttl. */
function rig(first: Doc) {
  const origin = fakeOrigin({ doc: first });
  const clock = fakeClock();
  const errors: SourceError[] = [];
  const source = flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, ttlMs: 5_000, maxStaleMs: 60_000, timeoutMs: 2_000, fetch: origin.fetch, onError: (error) => errors.push(error), now: clock.now });
  const flags = createFlagstage({ manifest, source, logChanges: false, onError: () => undefined });
  return { origin, source, flags, errors, clock };
}

const killed = (revision: string) => gastownDocument({ revision, stage: 'ga', killed: true });
const open = (revision: string | undefined): Doc => {
  const doc = gastownDocument({ revision: revision ?? 'x', stage: 'ga' });
  if (revision === undefined) delete doc.updated_at;
  return doc;
};

describe('content revisions (no updated_at): WebCrypto in the sources, the same as the engine\'s', () => {
  it('digestRevision (crypto.subtle) equals documentRevision (bundled SHA-256) on random documents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })), async (doc) => {
        const expected = documentRevision(doc);
        expect(expected).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(await digestRevision(doc)).toBe(expected);
      }),
      { numRuns: 300 },
    );
    // Independently of both: SHA-256 of the canonical JSON (keys sorted), as node:crypto computes it.
    expect(await digestRevision({ b: [1, { d: 'ü', c: null }], a: true })).toBe(
      `sha256:${createHash('sha256').update('{"a":true,"b":[1,{"c":null,"d":"ü"}]}').digest('hex')}`,
    );
    expect(await digestRevision({ updated_at: '2026-01-01T00:00:00Z', a: 1 })).toBe('2026-01-01T00:00:00Z');
  });

  it('a static document without updated_at gets its content revision; a bad frame still throws at construction', async () => {
    const { updated_at: _dropped, ...doc } = gastownDocument({ stage: 'ga', revision: '2026-01-01T00:00:00Z' }) as Doc & { updated_at?: string };
    const loaded = await staticSource(doc as never).current();
    expect(loaded?.revision).toBe(documentRevision(doc));
    expect(() => staticSource({ api_key: 'k' } as never)).toThrow(/invalid environment document/);
  });
});

describe('flagsmithSource: a document whose revision cannot be compared never replaces a good one', () => {
  const cases: [string, string | undefined][] = [
    ['missing updated_at', undefined],
    ['empty updated_at', ''],
    ['unparseable updated_at', 'last Tuesday'],
    ['an impossible date', '2026-02-30T00:00:00Z'],
  ];
  for (const [name, revision] of cases) {
    it(`${name}: the kill stays, onError says incomparable-revision`, async () => {
      const { origin, source, flags, errors } = rig(killed('2026-03-01T00:00:00.000000Z'));
      expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'killed' });
      origin.serve(open(revision));
      await source.refresh();
      expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'killed', revision: '2026-03-01T00:00:00.000000Z' });
      expect(errors.map((error) => error.code)).toEqual(['incomparable-revision']);
      expect(errors[0]?.message).toContain('2026-03-01T00:00:00.000000Z');
    });
  }

  it('an older revision with more than 9 fractional digits is older, not newer', async () => {
    const { origin, source, flags, errors } = rig(killed('2026-03-01T00:00:00.000000Z'));
    await flags.decide('gastown', alice);
    origin.serve(open('2026-02-28T23:59:59.9999999999Z'));
    await source.refresh();
    expect(await flags.decide('gastown', alice)).toMatchObject({ reason: 'killed' });
    expect(errors.map((error) => error.code)).toEqual(['older-document']);
    // And a newer one with 12 digits replaces it.
    origin.serve(open('2026-03-01T00:00:00.000000000001Z'));
    await source.refresh();
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true, reason: 'ga' });
  });

  it('the same instant spelled differently with the same content is a refetch: same document object, no error', async () => {
    const { origin, source, errors } = rig(killed('2026-03-01T00:00:00.000000Z'));
    const first = await source.current();
    origin.serve(killed('2026-03-01 01:00:00+01:00'));
    const second = await source.refresh();
    expect(second?.document).toBe(first?.document);
    expect(second?.revision).toBe('2026-03-01T00:00:00.000000Z');
    expect(errors).toEqual([]);
  });

  it('a changed document under an unchanged revision is used and reported, not silently ignored', async () => {
    const { origin, source, flags, errors } = rig(open('2026-03-01T00:00:00.000000Z'));
    const seen: string[] = [];
    source.subscribe((next) => seen.push(next.revision));
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true, reason: 'ga' });
    origin.serve(killed('2026-03-01T00:00:00Z'));
    await source.refresh();
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'killed' });
    expect(errors.map((error) => error.code)).toEqual(['unchanged-revision']);
    expect(seen).toEqual(['2026-03-01T00:00:00.000000Z', '2026-03-01T00:00:00Z']); // listeners (change events) hear of the new content
    // Served again unchanged: nothing more to report.
    await source.refresh();
    expect(errors).toHaveLength(1);
  });
});
