import { describe, expect, it } from 'vitest';
import { manifest } from '../../flags.gen';
import { createFlagstage } from '../../runtime/flagstage';
import type { SourceError } from '../../runtime/sources/errors';
import { flagsmithSource } from '../../runtime/sources/flagsmith';
import { gastownDocument, revisionAt, sdkDocument } from './documents';
import { executionContext, fakeClock, fakeOrigin } from './fake-origin';
import { serveOverHttp } from './http-origin';

const alice = { userId: 'alice', isAdmin: false };

// The source against a real HTTP server on loopback, with Node's own fetch (no injected fetch).
describe('flagsmithSource over real HTTP (Node)', async () => {
  const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1), stage: 'allowlist', allowUsers: ['alice'] }) });
  const { apiUrl } = await serveOverHttp(origin);

  // The origin is this process, slow to answer on a loaded machine: only the hanging-server test is
  // about the timeout, and even its first, cold load must not run into it.
  const rig = (timeoutMs = 30_000) => {
    const clock = fakeClock();
    const errors: SourceError[] = [];
    const source = flagsmithSource({ apiUrl, environmentKey: origin.key, ttlMs: 5_000, maxStaleMs: 60_000, timeoutMs, now: clock.now, onError: (e) => errors.push(e) });
    return { clock, errors, source, flags: createFlagstage({ manifest, source }) };
  };

  it('100 concurrent cold requests make one HTTP request; paged documents are reassembled', async () => {
    origin.counts.documents = 0;
    origin.counts.requests = 0;
    const { flags } = rig();
    const decisions = await Promise.all(Array.from({ length: 100 }, () => flags.decide('gastown', alice)));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(origin.counts).toEqual({ documents: 1, requests: 1 });

    const doc = sdkDocument(revisionAt(2));
    const overrides = Array.from({ length: 5 }, (_, i) => ({ ...(doc.identity_overrides as object[])[0], identifier: `id-${i}` }));
    origin.serve({ ...doc, identity_overrides: overrides });
    origin.paginate(5);
    const loaded = await rig().source.current();
    origin.paginate(1);
    expect(loaded?.document.identity_overrides?.map((o) => o.identifier)).toEqual(overrides.map((o) => o.identifier));
  });

  it('a hanging server is cut off after timeoutMs and the last good document is kept', async () => {
    origin.serve(gastownDocument({ revision: revisionAt(3), stage: 'allowlist', allowUsers: ['alice'] }));
    const { flags, clock, errors } = rig(2_000);
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true, revision: revisionAt(3) });
    expect(errors).toEqual([]);
    origin.fail('timeout');
    clock.advance(5_000);
    const ctx = executionContext();
    expect(await flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: true, revision: revisionAt(3) });
    // Served stale, not after the timeout: the refresh has not been cut off yet (no wall-clock bound).
    expect(errors).toEqual([]);
    await ctx.settle();
    origin.fail('none');
    expect(errors.map((e) => e.code)).toEqual(['timeout']);
  });

  it('a 500 and invalid JSON over HTTP are reported the same way as in workerd', async () => {
    for (const [fault, code] of [['http-500', 'http-status'], ['invalid-json', 'invalid-json']] as const) {
      const { flags, clock, errors } = rig();
      await flags.decide('gastown', alice);
      origin.fail(fault);
      clock.advance(5_000);
      const ctx = executionContext();
      expect(await flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: true });
      await ctx.settle();
      origin.fail('none');
      expect(errors.map((e) => e.code)).toEqual([code]);
    }
  });
});
