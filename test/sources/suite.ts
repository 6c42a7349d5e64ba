import { describe, expect, it } from 'vitest';
import { manifest } from '../../flags.gen';
import { changeListener, watchChanges, type ChangeEvent } from 'flagstage/changes';
import { compileEnvironment } from '../../runtime/engine/index';
import { createFlagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import { SourceError } from '../../runtime/sources/errors';
import { flagsmithSource, type FlagsmithSourceOptions } from '../../runtime/sources/flagsmith';
import type { SharedCache } from '../../runtime/sources/shared-cache';
import { signWebhookBody } from '../../runtime/sources/signature';
import { flagsmithWebhook } from '../../runtime/sources/webhook';
import { gastownDocument, revisionAt, sdkDocument } from './documents';
import { executionContext, fakeClock, fakeOrigin, type FakeOrigin, type OriginFault } from './fake-origin';

/** What differs between the workerd and the Node run of the same suite. */
export interface Platform {
  readonly name: string;
  /** The runtime's real `fetch` to a port nothing listens on, for `connection refused`. */
  readonly refused: (signal: AbortSignal | null | undefined) => Promise<Response>;
  /** Shared caches to run the cold-isolate tests against, each fresh. */
  readonly sharedCaches: () => Promise<readonly { readonly name: string; readonly cache: SharedCache }[]>;
}

const admin: Identity = { userId: 'root', isAdmin: true };
const alice: Identity = { userId: 'alice', isAdmin: false };
const bob: Identity = { userId: 'bob', isAdmin: false };
const SECRET = 'whsec-test';

/** A source, a runtime on it and everything a test looks at. */
function rig(origin: FakeOrigin, extra: Partial<FlagsmithSourceOptions> = {}) {
  const clock = fakeClock();
  const errors: SourceError[] = [];
  const source = flagsmithSource({
    apiUrl: origin.apiUrl,
    environmentKey: origin.key,
    ttlMs: 5_000,
    maxStaleMs: 60_000,
    // Generous: a busy CI machine must not turn a healthy fetch into a timeout. Timeout tests pass 200.
    timeoutMs: 2_000,
    fetch: origin.fetch,
    onError: (error) => errors.push(error),
    now: clock.now,
    ...extra,
  });
  const flags = createFlagstage({ manifest, source, logChanges: false });
  return { clock, errors, source, flags };
}

const allowlisted = (revision: string) => gastownDocument({ revision, stage: 'allowlist', allowUsers: ['alice'] });

export function sourceSuite(platform: Platform): void {
  describe('flagsmithSource: origin', () => {
    it('refuses a key that is not a server-side key, saying what to do', () => {
      expect(() =>
        flagsmithSource({ apiUrl: 'https://x.test/api/v1', environmentKey: 'B62qaMZNwfiqT76p38ggrQ', ttlMs: 1, maxStaleMs: 1, timeoutMs: 1 }),
      ).toThrow(/^flagstage: .*"ser\.".*Environment settings/);
    });

    it('fetches {apiUrl}environment-document/ with or without a trailing slash, with the key', async () => {
      for (const apiUrl of ['https://flagsmith.test/api/v1', 'https://flagsmith.test/api/v1/']) {
        const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
        const urls: string[] = [];
        const { source } = rig(origin, { apiUrl, fetch: (url, init) => (urls.push(url), origin.fetch(url, init)) });
        expect((await source.current())?.revision).toBe(revisionAt(1));
        expect(urls).toEqual(['https://flagsmith.test/api/v1/environment-document/']);
      }
    });

    it('follows Link rel="next" pages and merges identity_overrides like the SDK', async () => {
      const doc = sdkDocument(revisionAt(1));
      const overrides = Array.from({ length: 7 }, (_, i) => ({ ...(doc.identity_overrides as object[])[0], identifier: `id-${i}` }));
      const origin = fakeOrigin({ doc: { ...doc, identity_overrides: overrides } });
      origin.paginate(3);
      const { source } = rig(origin);
      const loaded = await source.current();
      expect(origin.counts).toEqual({ documents: 1, requests: 3 });
      expect(loaded?.document.identity_overrides?.map((o) => o.identifier)).toEqual(
        overrides.map((o) => o.identifier),
      );
      // The merged document evaluates an identity override from the last page.
      const result = compileEnvironment(loaded!.document).evaluate({ identifier: 'id-6', traits: {} });
      expect(JSON.stringify(result)).toContain('some-overridden-value');
    });

    it('a kill-switch flipped as the environment becomes paged arrives: every page is read, never the first alone', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      const { flags, clock, errors } = rig(origin);
      expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true, reason: 'allowlist' });
      // Revision 2: the kill-switch is on, and enough identity overrides that Flagsmith pages it.
      const overrides = Array.from({ length: 4 }, (_, i) => ({ ...(sdkDocument(revisionAt(2)).identity_overrides as object[])[0], identifier: `id-${i}` }));
      origin.serve({ ...gastownDocument({ revision: revisionAt(2), stage: 'allowlist', allowUsers: ['alice'], killed: true }), identity_overrides: overrides });
      origin.paginate(2);
      clock.advance(5_000);
      const ctx = executionContext();
      await flags.decide('gastown', alice, ctx);
      await ctx.settle();
      expect(origin.counts).toEqual({ documents: 2, requests: 3 });
      expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'killed' });
      expect((await flags.decide('gastown', alice)).allowed).toBe(false);
      expect(errors).toEqual([]);
    });

    it('compiles once per revision: a refetch of the same revision keeps the document, so its compiled policy', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      const { source, clock, flags } = rig(origin);
      const ctx = executionContext();
      const first = await source.current(ctx);
      clock.advance(5_000);
      await source.current(ctx);
      await ctx.settle();
      const second = await source.current(ctx);
      expect(origin.counts.documents).toBe(2);
      expect(second).not.toBe(first);
      expect(second?.document).toBe(first?.document);
      expect(flags.policy(second!)).toBe(flags.policy(first!));
      expect(second?.fetchedAt).toBe(first!.fetchedAt + 5_000);
    });
  });

  describe('flagsmithSource: load', () => {
    it('10,000 decisions over a simulated minute with ttl 5 s reach the origin at most 13 times', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      const { flags, clock, errors } = rig(origin);
      const ctx = executionContext();
      let allowed = 0;
      for (let i = 0; i < 10_000; i += 1) {
        const decision = await flags.decide('gastown', i % 2 === 0 ? alice : bob, ctx);
        if (decision.allowed) allowed += 1;
        clock.advance(6); // 10,000 x 6 ms = 60 s
        // Requests are spread over the minute: let I/O (a background refresh) run between them, as
        // it would. Without this, workerd would not deliver the origin's answer until the loop ends.
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await ctx.settle();
      console.log(`[${platform.name}] 10,000 decisions / 60 s, ttl 5 s: ${origin.counts.documents} origin fetches`);
      expect(allowed).toBe(5_000);
      expect(origin.counts.documents).toBeGreaterThanOrEqual(12);
      expect(origin.counts.documents).toBeLessThanOrEqual(13);
      expect(errors).toEqual([]);
    });

    it('100 concurrent cold requests cause one origin fetch', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      const { flags } = rig(origin);
      const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => flags.decide('gastown', i % 2 ? alice : bob)));
      expect(origin.counts.documents).toBe(1);
      expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
      expect(new Set(decisions.map((d) => d.revision))).toEqual(new Set([revisionAt(1)]));
    });

    it('a stale document is served at once while exactly one background refresh runs', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let hold = false;
      const { flags, clock } = rig(origin, {
        fetch: async (url, init) => {
          if (hold) await gate;
          return origin.fetch(url, init);
        },
      });
      await flags.decide('gastown', alice);
      origin.serve(gastownDocument({ revision: revisionAt(2), stage: 'allowlist', allowUsers: ['alice'], killed: true }));
      hold = true;
      clock.advance(6_000);
      const ctx = executionContext();
      const stale = await Promise.all(Array.from({ length: 50 }, () => flags.decide('gastown', alice, ctx)));
      expect(stale.every((d) => d.allowed && d.revision === revisionAt(1))).toBe(true);
      release();
      await ctx.settle();
      expect(origin.counts.documents).toBe(2);
      expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'killed', revision: revisionAt(2) });
    });
  });

  describe('flagsmithSource: fault matrix', () => {
    const expected: Record<Exclude<OriginFault, 'none'>, { code: SourceError['code']; mentions: RegExp }> = {
      'http-500': { code: 'http-status', mentions: /HTTP 500/ },
      timeout: { code: 'timeout', mentions: /longer than 200 ms/ },
      refused: { code: 'network', mentions: /could not reach/ },
      'invalid-json': { code: 'invalid-json', mentions: /not valid JSON/ },
      'schema-invalid': { code: 'invalid-document', mentions: /feature_states/ },
      older: { code: 'older-document', mentions: /older than the revision/ },
      'broken-pages': { code: 'broken-pages', mentions: /page 2 .*HTTP 404/ },
    };

    for (const [fault, { code, mentions }] of Object.entries(expected) as [Exclude<OriginFault, 'none'>, (typeof expected)['http-500']][]) {
      it(`${fault}: every request still decides on the last good document and onError names the cause`, async () => {
        const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)), connect: platform.refused });
        const { flags, clock, errors } = rig(origin, { timeoutMs: fault === 'timeout' ? 200 : 2_000 });
        expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true, reason: 'allowlist' });
        origin.fail(fault);
        origin.serve(gastownDocument({ revision: revisionAt(2), stage: 'ga' }));
        clock.advance(5_000);
        const ctx = executionContext();
        for (let i = 0; i < 20; i += 1) {
          const [a, b, root] = await Promise.all([flags.decide('gastown', alice, ctx), flags.decide('gastown', bob, ctx), flags.decide('gastown', admin, ctx)]);
          expect(a).toMatchObject({ allowed: true, reason: 'allowlist', revision: revisionAt(1) });
          expect(b).toMatchObject({ allowed: false, reason: 'not-enabled', revision: revisionAt(1) });
          expect(root).toMatchObject({ allowed: true, reason: 'admin' });
          await ctx.settle();
        }
        expect(origin.counts.documents).toBe(2); // one failed refresh, then back-off for a ttl
        expect(errors.map((e) => e.code)).toEqual([code]);
        expect(errors[0]?.message).toMatch(/^flagstage: /);
        expect(errors[0]?.message).toMatch(mentions);
        if (fault === 'schema-invalid') expect(errors[0]?.path).toMatch(/^feature_states/);
        // Recovery: the origin heals, and the next refresh after the back-off picks up the new revision.
        origin.fail('none');
        clock.advance(5_000);
        await flags.decide('gastown', bob, ctx);
        await ctx.settle();
        expect(await flags.decide('gastown', bob)).toMatchObject({ allowed: true, reason: 'ga', revision: revisionAt(2) });
      });
    }

    it('past maxStaleMs the last good document is still served, and that is reported too', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      const { flags, clock, errors } = rig(origin);
      await flags.decide('gastown', alice);
      origin.fail('http-500');
      clock.advance(61_000);
      const ctx = executionContext();
      expect(await flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: true, revision: revisionAt(1) });
      await ctx.settle();
      expect(errors.map((e) => e.code)).toEqual(['http-status', 'max-stale']);
      expect(errors[1]?.message).toMatch(/past maxStaleMs/);
    });

    for (const fault of ['http-500', 'refused', 'timeout', 'schema-invalid'] as const) {
      it(`with nothing ever loaded (${fault}) only admins get in, and nothing throws`, async () => {
        const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)), connect: platform.refused });
        origin.fail(fault);
        const { flags, errors } = rig(origin, { timeoutMs: 200 });
        const decisions = await Promise.all([flags.decide('gastown', admin), flags.decide('gastown', alice), flags.decide('convoys', bob)]);
        expect(decisions[0]).toMatchObject({ allowed: true, reason: 'admin', revision: null });
        expect(decisions[1]).toMatchObject({ allowed: false, reason: 'no-environment', revision: null });
        expect(decisions[2]).toMatchObject({ allowed: false, revision: null });
        expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'no-environment' });
        expect(origin.counts.documents).toBe(1); // concurrent cold requests shared the one failed fetch
        expect(errors.length).toBeGreaterThanOrEqual(1);
      });
    }
  });

  describe('flagsmithSource: shared cache', () => {
    it('a cold isolate serves its first decision from the shared cache without the origin', async () => {
      for (const { name, cache } of await platform.sharedCaches()) {
        const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
        const warm = rig(origin, { cache });
        const ctx = executionContext();
        await warm.flags.decide('gastown', alice, ctx);
        await ctx.settle(); // the shared-cache write runs behind the response
        expect(origin.counts.documents, name).toBe(1);

        // A new isolate: nothing in memory, an origin that must not be called.
        const cold = rig(origin, {
          cache,
          fetch: () => Promise.reject(new Error(`${name}: the cold isolate called the origin`)),
        });
        const first = await cold.flags.decide('gastown', alice);
        expect(first, name).toMatchObject({ allowed: true, reason: 'allowlist', revision: revisionAt(1) });
        expect(cold.errors, name).toEqual([]);
        expect(origin.counts.documents, name).toBe(1);
      }
    });

    it('a cold isolate with a stale shared entry serves it at once and refreshes behind the response', async () => {
      for (const { name, cache } of await platform.sharedCaches()) {
        const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
        const warm = rig(origin, { cache });
        const ctx = executionContext();
        await warm.source.current(ctx);
        await ctx.settle();
        origin.serve(gastownDocument({ revision: revisionAt(2), stage: 'ga' }));
        const cold = rig(origin, { cache });
        cold.clock.advance(10_000);
        expect(await cold.flags.decide('gastown', bob, ctx), name).toMatchObject({ allowed: false, revision: revisionAt(1) });
        await ctx.settle();
        expect(await cold.flags.decide('gastown', bob), name).toMatchObject({ allowed: true, revision: revisionAt(2) });
        expect(origin.counts.documents, name).toBe(2);
      }
    });

    it('a broken shared cache falls through to the origin and is reported', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      const broken: SharedCache = { get: () => Promise.reject(new Error('kv down')), put: () => Promise.reject(new Error('kv down')) };
      const { flags, errors } = rig(origin, { cache: broken });
      const ctx = executionContext();
      expect(await flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: true });
      await ctx.settle();
      expect(errors.map((e) => e.code)).toEqual(['shared-cache', 'shared-cache']);
    });
  });

  describe('kill-switch', () => {
    it('is enforced on the first request after the webhook', async () => {
      for (const { name, cache } of [{ name: 'no shared cache', cache: undefined }, ...(await platform.sharedCaches())]) {
        const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
        const { flags, source } = rig(origin, cache ? { cache } : {});
        const webhook = flagsmithWebhook({ secret: SECRET, source });
        expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true });
        origin.serve(gastownDocument({ revision: revisionAt(2), stage: 'allowlist', allowUsers: ['alice'], killed: true }));
        expect(await flags.decide('gastown', alice), name).toMatchObject({ allowed: true }); // fresh: no reason to look

        const body = JSON.stringify({ event_type: 'FLAG_UPDATED', data: { new_state: { feature: { name: 'gastown_kill_switch' }, enabled: true } } });
        const response = await webhook(
          new Request('https://app.test/flagsmith/webhook', { method: 'POST', body, headers: { 'X-Flagsmith-Signature': await signWebhookBody(SECRET, body) } }),
        );
        expect(response.status, name).toBe(200);
        expect(await response.json()).toEqual({ ok: true, code: 'refreshed', revision: revisionAt(2) });
        expect(await flags.decide('gastown', alice), name).toMatchObject({ allowed: false, reason: 'killed', revision: revisionAt(2) });
        expect(await flags.decide('gastown', admin), name).toMatchObject({ allowed: true, reason: 'admin' });

        if (cache) {
          // The webhook also updated the shared cache: another cold isolate starts killed.
          const other = rig(origin, { cache, fetch: () => Promise.reject(new Error('origin called')) });
          expect(await other.flags.decide('gastown', alice), name).toMatchObject({ allowed: false, reason: 'killed' });
        }
      }
    });

    it('is enforced within one ttl without the webhook', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      const { flags, clock } = rig(origin);
      const ctx = executionContext();
      expect(await flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: true });
      origin.serve(gastownDocument({ revision: revisionAt(2), stage: 'allowlist', allowUsers: ['alice'], killed: true }));
      clock.advance(4_999);
      expect(await flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: true });
      clock.advance(1);
      await flags.decide('gastown', alice, ctx); // due: served stale, refresh starts behind it
      await ctx.settle();
      expect(await flags.decide('gastown', alice, ctx)).toMatchObject({ allowed: false, reason: 'killed' });
      expect(origin.counts.documents).toBe(2);
    });
  });

  describe('webhook', () => {
    const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
    const cases: [string, RequestInit, number, string][] = [
      ['unsigned', { method: 'POST', body: '{}' }, 401, 'missing-signature'],
      ['forged', { method: 'POST', body: '{}', headers: { 'X-Flagsmith-Signature': 'ab'.repeat(32) } }, 401, 'invalid-signature'],
      ['malformed signature', { method: 'POST', body: '{}', headers: { 'X-Flagsmith-Signature': 'not-hex' } }, 401, 'malformed-signature'],
      ['GET', { method: 'GET' }, 405, 'method-not-allowed'],
    ];
    for (const [name, init, status, code] of cases) {
      it(`answers ${status} ${code} to a ${name} call and changes nothing`, async () => {
        const { source, flags } = rig(origin);
        await flags.decide('gastown', alice);
        const before = origin.counts.requests;
        const response = await flagsmithWebhook({ secret: SECRET, source })(new Request('https://app.test/hook', init));
        expect(response.status).toBe(status);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({ ok: false, code });
        expect(text).not.toMatch(/at |Error|stack/);
        expect(origin.counts.requests).toBe(before);
      });
    }

    it('answers 401 to a signed body that is not JSON, and to a body signed with another secret', async () => {
      const { source } = rig(origin);
      const hook = flagsmithWebhook({ secret: SECRET, source });
      const before = origin.counts.requests;
      const notJson = 'event_type=FLAG_UPDATED';
      const r1 = await hook(new Request('https://app.test/hook', { method: 'POST', body: notJson, headers: { 'X-Flagsmith-Signature': await signWebhookBody(SECRET, notJson) } }));
      const r2 = await hook(new Request('https://app.test/hook', { method: 'POST', body: '{}', headers: { 'X-Flagsmith-Signature': await signWebhookBody('other', '{}') } }));
      expect([r1.status, (await r1.json()) as unknown, r2.status, (await r2.json()) as unknown]).toEqual([
        401,
        { ok: false, code: 'malformed-body' },
        401,
        { ok: false, code: 'invalid-signature' },
      ]);
      expect(origin.counts.requests).toBe(before);
    });

    it('answers 413 to an oversized body sent without Content-Length, without reading it all', async () => {
      const { source } = rig(origin);
      const hook = flagsmithWebhook({ secret: SECRET, source, maxBodyBytes: 4096 });
      const chunk = new Uint8Array(1024).fill(0x20);
      let pulled = 0;
      // Chunked: no Content-Length to refuse it by, and 1,000 times the limit if read to the end.
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 1;
          if (pulled > 4096) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const before = origin.counts.requests;
      const request = new Request('https://app.test/hook', { method: 'POST', body, headers: { 'X-Flagsmith-Signature': 'ab'.repeat(32) }, duplex: 'half' } as RequestInit);
      expect(request.headers.get('content-length')).toBeNull();
      const response = await hook(request);
      expect([response.status, (await response.json()) as unknown]).toEqual([413, { ok: false, code: 'payload-too-large' }]);
      expect(pulled).toBeLessThan(64);
      expect(origin.counts.requests).toBe(before);
    });
  });

  describe('change events', () => {
    it('exactly one per real change, none for a refetch of the same revision', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      const { source, flags, clock } = rig(origin);
      const events: ChangeEvent[] = [];
      const fromRuntime: ChangeEvent[] = [];
      source.subscribe(changeListener({ manifest, onChange: (event) => void events.push(event), console: false, now: clock.now }));
      const stop = watchChanges(source, { manifest, onChange: (event) => void fromRuntime.push(event), console: false });
      const ctx = executionContext();
      const step = async (doc?: ReturnType<typeof gastownDocument>) => {
        if (doc) origin.serve(doc);
        clock.advance(5_000);
        await flags.decide('gastown', alice, ctx);
        await ctx.settle();
      };

      await flags.decide('gastown', alice, ctx); // first load: not a change
      await step(); // refetch of revision 1
      await step(gastownDocument({ revision: revisionAt(2), stage: 'allowlist', allowUsers: ['alice'], killed: true }));
      await step(); // refetch of revision 2
      await step(gastownDocument({ revision: revisionAt(3), stage: 'allowlist', allowUsers: ['alice', 'carol'], killed: true }));
      // A new revision that changes only an unrelated feature: no event.
      const unrelated = gastownDocument({ revision: revisionAt(4), stage: 'allowlist', allowUsers: ['alice', 'carol'], killed: true });
      (unrelated.feature_states as { enabled: boolean }[])[0]!.enabled = false;
      await step(unrelated);
      await step(gastownDocument({ revision: revisionAt(5), stage: 'percentage', allowUsers: ['alice', 'carol'], percent: 10 }));

      expect(origin.counts.documents).toBe(7);
      expect(events.map((e) => [e.flag, e.revision, e.before.killed, e.after.killed, e.after.stage, e.after.allowlist.users.length])).toEqual([
        ['gastown', revisionAt(2), false, true, 'allowlist', 1],
        ['gastown', revisionAt(3), true, true, 'allowlist', 2],
        ['gastown', revisionAt(5), true, false, 'percentage', 2],
      ]);
      expect(events[0]?.at).toBe(new Date(Date.UTC(2026, 0, 1) + 10_000).toISOString());
      expect(fromRuntime.map((e) => `${e.revision}:${e.flag}`)).toEqual(events.map((e) => `${e.revision}:${e.flag}`));
      stop();
    });

    it('the console sink writes one JSON line per event; a failing sink is reported, not thrown', async () => {
      const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
      const { source, flags, clock } = rig(origin);
      const lines: string[] = [];
      const failures: Error[] = [];
      const log = console.log;
      console.log = (line: string) => void lines.push(line);
      try {
        source.subscribe(
          changeListener({
            manifest,
            onChange: [() => Promise.reject(new Error('sink down')), () => { throw new Error('sink broken'); }],
            onError: (error) => void failures.push(error),
          }),
        );
        const ctx = executionContext();
        await flags.decide('gastown', alice, ctx);
        origin.serve(gastownDocument({ revision: revisionAt(2), stage: 'ga' }));
        clock.advance(5_000);
        await flags.decide('gastown', alice, ctx);
        await ctx.settle();
        await new Promise((resolve) => setTimeout(resolve, 0));
      } finally {
        console.log = log;
      }
      expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toMatchObject([
        { type: 'flagstage.change', flag: 'gastown', revision: revisionAt(2), before: { stage: 'allowlist' }, after: { stage: 'ga' } },
      ]);
      expect(failures.map((e) => e.message).sort()).toEqual([
        'flagstage: a change event sink failed (sink broken).',
        'flagstage: a change event sink failed (sink down).',
      ]);
    });
  });
}
