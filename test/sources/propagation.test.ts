import { describe, expect, it } from 'vitest';
import { manifest } from '../../flags.gen';
import { createFlagstage } from '../../runtime/flagstage';
import type { SourceError } from '../../runtime/sources/errors';
import { flagsmithSource } from '../../runtime/sources/flagsmith';
import type { SharedCache } from '../../runtime/sources/shared-cache';
import { gastownDocument, revisionAt } from './documents';
import { executionContext, fakeClock, fakeOrigin, type FakeOrigin } from './fake-origin';
import { memoryCache } from './memory-cache';

const alice = { userId: 'alice', isAdmin: false };

/** One isolate: its own memory, the shared cache and origin of its colo, the colo's clock. */
function isolate(origin: FakeOrigin, cache: SharedCache, clock: ReturnType<typeof fakeClock>, reads: { count: number }) {
  const errors: SourceError[] = [];
  const counted: SharedCache = {
    get: (id, newerThan) => ((reads.count += 1), cache.get(id, newerThan)),
    put: (id, entry) => cache.put(id, entry),
  };
  const source = flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, ttlMs: 5_000, maxStaleMs: 60_000, timeoutMs: 2_000, fetch: origin.fetch, cache: counted, onError: (error) => errors.push(error), now: clock.now });
  const flags = createFlagstage({ manifest, source, logChanges: false });
  return { source, flags, errors };
}

describe('propagation: a refresh one isolate writes to the shared cache reaches the others within sharedCacheCheckMs', () => {
  it('isolate B applies the kill isolate A received by webhook after one check interval (1 s), long before ttlMs (5 s), without the origin', async () => {
    const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1), stage: 'ga' }) });
    const cache = memoryCache();
    const clock = fakeClock();
    const reads = { count: 0 };
    const a = isolate(origin, cache, clock, reads);
    const b = isolate(origin, cache, clock, reads);
    const ctx = executionContext();
    expect(await a.flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: true });
    await ctx.settle();
    expect(await b.flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: true }); // from the shared cache
    await ctx.settle();
    expect(origin.counts.documents).toBe(1);

    // The kill: the webhook reaches isolate A only.
    clock.advance(100);
    origin.serve(gastownDocument({ revision: revisionAt(2), stage: 'ga', killed: true }));
    await a.source.refresh(ctx);
    expect(await a.flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: false, reason: 'killed' });
    expect(origin.counts.documents).toBe(2);

    // B within the interval still serves what it holds (no I/O per request) ...
    const readsBefore = reads.count;
    clock.advance(500);
    for (let i = 0; i < 50; i += 1) expect(await b.flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: true });
    await ctx.settle();
    expect(reads.count).toBe(readsBefore);

    // ... and once the interval has passed, one request triggers one background cache read, and the kill applies.
    clock.advance(500);
    await b.flags.decide('gastown', alice, ctx);
    await ctx.settle();
    expect(reads.count).toBe(readsBefore + 1);
    expect(await b.flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: false, reason: 'killed', revision: revisionAt(2) });
    // 1.1 s after the kill, well inside ttlMs: B never asked the origin.
    expect(origin.counts.documents).toBe(2);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('costs one cache read per interval per isolate, whatever the request rate, and never reads the body when nothing is newer', async () => {
    const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1), stage: 'ga' }) });
    const clock = fakeClock();
    const reads = { count: 0 };
    const bodies = { count: 0 };
    const inner = memoryCache();
    const cache: SharedCache = {
      get: async (id, newerThan) => {
        const entry = await inner.get(id);
        if (!entry || (newerThan !== undefined && entry.fetchedAt <= newerThan)) return null;
        bodies.count += 1;
        return entry;
      },
      put: inner.put,
    };
    const b = isolate(origin, cache, clock, reads);
    const ctx = executionContext();
    await b.flags.decide('gastown', alice, ctx);
    await ctx.settle();
    const start = reads.count;
    // 4 s of traffic at 100 requests per second: 4 checks, no origin fetch (ttl 5 s), no body read.
    for (let i = 0; i < 400; i += 1) {
      clock.advance(10);
      await b.flags.decide('gastown', alice, ctx);
      if (i % 10 === 9) await ctx.settle();
    }
    await ctx.settle();
    expect(reads.count - start).toBeGreaterThanOrEqual(3);
    expect(reads.count - start).toBeLessThanOrEqual(4);
    expect(bodies.count).toBe(0);
    expect(origin.counts.documents).toBe(1);
  });
});
