// requireFlag decides synchronously on a document the source holds fresh in memory (`source.fresh()`,
// `flags.decideFresh`), so a warm gate awaits nothing before next(). These tests drive the README layout
// (flagstage() app-wide) over a real flagsmithSource with a fake clock and a fake origin, and fail if
// that fast path serves a document past its freshness window, skips the refresh or the shared-cache
// check `current()` would have started, delays a kill, or hides a source's failure.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createFlagstage, flagsmithSource, staticSource, type FlagsmithSourceOptions, type FlagstageError, type Identity, type OutcomeReporter } from 'flagstage';
import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
import { manifest, requireGastown } from '../../flags.gen';
import { buildDocument } from '../../runtime/testing/index';
import type { Doc } from '../sources/documents';
import { executionContext, fakeClock, fakeOrigin } from '../sources/fake-origin';
import { memoryCache } from '../sources/memory-cache';
import { aliceOnly, killed, users } from './support';

type AppEnv = { Variables: { user: Identity | null } & FlagstageVariables };
const TTL = 5_000;
const doc = (rollout: typeof aliceOnly): Doc => buildDocument(manifest, rollout) as unknown as Doc;

function setup(options: Partial<FlagsmithSourceOptions> = {}, origin = fakeOrigin({ doc: doc(aliceOnly) })) {
  const clock = fakeClock();
  const errors: FlagstageError[] = [];
  const broken = { clock: false };
  const now = () => {
    if (broken.clock) throw new Error('clock broke');
    return clock.now();
  };
  const source = flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, fetch: origin.fetch, now, ttlMs: TTL, ...options });
  // What the gate asks of the source: `current()` is the async path, counted.
  const asked = { current: 0 };
  const counted = { ...source, current: (context?: Parameters<typeof source.current>[0]) => (asked.current++, source.current(context)) };
  const flags = createFlagstage({ manifest, source: counted, onError: (error) => void errors.push(error) });
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    const who = c.req.header('x-user');
    c.set('user', who === 'admin' ? users.admin : who === 'nameless' ? ({ userId: '', isAdmin: false } as Identity) : users.alice);
    await next();
  });
  app.use(flagstage<AppEnv>(flags, { identity: (c) => c.get('user') }));
  app.get('/towns', requireFlag(requireGastown), (c) => c.json({ reason: c.var.flagDecision.reason, revision: c.var.flagDecision.revision }));
  app.get('/open', (c) => {
    // A decision that cannot be made rejects, as it always did (never a synchronous throw).
    const decision = c.var.flagstage.decide('gastown');
    return decision.then(
      () => c.text('decided'),
      (error: FlagstageError) => c.text(error.code),
    );
  });
  app.onError((error, c) => c.text(`onError: ${(error as FlagstageError).code}`, 500));
  const ctx = executionContext();
  const get = async (user = 'alice') => {
    const res = await app.request('/towns', { headers: { 'x-user': user } }, {}, ctx as unknown as ExecutionContext);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const open = async (user = 'alice') => (await app.request('/open', { headers: { 'x-user': user } }, {}, ctx as unknown as ExecutionContext)).text();
  return { origin, clock, broken, source, asked, errors, ctx, get, open, app };
}

describe('requireFlag on a fresh document in memory (flagstage/hono, workerd)', () => {
  it('decides without current() while the document is fresh; at ttlMs it goes through current(), which serves it once more and refreshes', async () => {
    const { origin, clock, source, asked, ctx, get } = setup();
    expect((await get()).status).toBe(200); // cold: waits for the origin
    await ctx.settle();
    expect(asked.current).toBe(1);
    clock.advance(TTL - 1);
    expect(source.fresh()).toBeDefined();
    expect(await get()).toEqual({ status: 200, body: { reason: 'allowlist', revision: expect.any(String) } });
    expect(asked.current).toBe(1); // the synchronous path: current() not asked

    origin.serve(doc(killed(aliceOnly)));
    clock.advance(1); // exactly ttlMs old: due
    expect(source.fresh()).toBeUndefined();
    // Stale-while-refresh, as before: this request still gets the held revision, and a refresh
    // starts through waitUntil (a fast path serving the stale document would start none).
    expect((await get()).status).toBe(200);
    expect(asked.current).toBe(2);
    expect(origin.counts.documents).toBe(2);
    await ctx.settle();
    expect(await get()).toEqual({ status: 403, body: { error: 'flagstage.forbidden', flag: 'gastown' } });
    expect((await get('admin')).status).toBe(200);
  });

  it('a failed refresh is reported and retried after its back-off, never from the fast path, and concurrent requests share one refresh', async () => {
    const { origin, clock, asked, errors, ctx, get } = setup();
    await get();
    await ctx.settle();
    origin.fail('http-500');
    clock.advance(TTL);
    const results = await Promise.all([get(), get(), get()]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]); // the stale document beats none
    expect(origin.counts.documents).toBe(2); // one refresh for the three
    await ctx.settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/500/);
    // Past its window and backing off: served by current() (asked), no new fetch until ttlMs after the failure.
    const before = asked.current;
    clock.advance(TTL - 1);
    expect((await get()).status).toBe(200);
    expect(asked.current).toBe(before + 1);
    expect(origin.counts.documents).toBe(2);
    origin.fail('none');
    origin.serve(doc(killed(aliceOnly)));
    clock.advance(1);
    await get();
    await ctx.settle();
    expect(origin.counts.documents).toBe(3);
    expect((await get()).status).toBe(403);
  });

  it('a kill reaches the gate at once after a forced refresh (the webhook), with the clock standing still', async () => {
    const { origin, source, ctx, get } = setup();
    await get();
    await ctx.settle();
    expect((await get()).status).toBe(200);
    origin.serve(doc(killed(aliceOnly)));
    await source.refresh();
    expect((await get()).status).toBe(403);
  });

  it("a kill another isolate put in the shared cache reaches this gate within sharedCacheCheckMs, as through current()", async () => {
    const cache = memoryCache();
    const origin = fakeOrigin({ doc: doc(aliceOnly) });
    const here = setup({ cache, sharedCacheCheckMs: 1_000 }, origin);
    await here.get();
    await here.ctx.settle();
    // Another isolate, same origin and shared cache, takes the webhook's refresh.
    const there = flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, fetch: origin.fetch, now: here.clock.now, ttlMs: TTL, cache });
    origin.serve(doc(killed(aliceOnly)));
    here.clock.advance(100);
    await there.refresh();
    here.clock.advance(899);
    expect((await here.get()).status).toBe(200); // not yet due to look: as before
    here.clock.advance(1);
    expect(here.source.fresh()).toBeUndefined();
    expect((await here.get()).status).toBe(200); // this request starts the shared-cache check
    await here.ctx.settle();
    expect((await here.get()).status).toBe(403);
  });

  it('an identity without a userId is refused on the fast path as on the slow one', async () => {
    const { ctx, get, open, app } = setup();
    await get();
    await ctx.settle();
    expect(await open()).toBe('decided');
    expect(await open('nameless')).toBe('invalid-identity');
    const res = await app.request('/towns', { headers: { 'x-user': 'nameless' } }, {}, ctx as unknown as ExecutionContext);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('onError: invalid-identity');
  });

  it('a source that throws on the fast path fails closed and is reported, as when current() throws', async () => {
    const { broken, ctx, errors, get } = setup();
    await get();
    await ctx.settle();
    broken.clock = true; // the source's injected clock now throws, in fresh() and in current() alike
    expect(await get()).toEqual({ status: 403, body: { error: 'flagstage.forbidden', flag: 'gastown' } });
    expect(errors.at(-1)?.code).toBe('source-failed');
    expect((await get('admin')).status).toBe(200);
  });
});

describe("requireFlag waits for the route's answer only when there is an outcome reporter (flagstage/hono, workerd)", () => {
  /** A warm gate whose route is wrapped so the test sees whether requireFlag handed back next()'s own promise. */
  async function warmGate(outcomes?: OutcomeReporter) {
    const origin = fakeOrigin({ doc: doc(aliceOnly) });
    const flags = createFlagstage({ manifest, source: flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, fetch: origin.fetch, ttlMs: 60_000 }), outcomes });
    const gate = requireFlag(requireGastown);
    const handedBack: boolean[] = [];
    const app = new Hono<AppEnv>();
    app.use(flagstage<AppEnv>(flags, { identity: (c) => (c.req.header('x-user') === 'admin' ? users.admin : users.alice) }));
    app.get(
      '/towns/:status',
      (c, next) => {
        let downstream: Promise<void> | undefined;
        const returned = gate(c as unknown as Parameters<typeof gate>[0], () => (downstream = next()));
        handedBack.push(returned === downstream);
        return returned;
      },
      (c) => c.text('towns', Number(c.req.param('status')) as 200 | 503),
    );
    const ctx = executionContext();
    const get = async (status: number, user = 'alice') => (await app.request(`/towns/${status}`, { headers: { 'x-user': user } }, {}, ctx as unknown as ExecutionContext)).status;
    expect(await get(200)).toBe(200); // cold: the document is fetched, the decision waited for
    await ctx.settle();
    handedBack.length = 0;
    return { get, handedBack };
  }

  it('without a reporter: next() itself, nothing added after the route', async () => {
    const { get, handedBack } = await warmGate();
    expect(await get(200)).toBe(200);
    expect(await get(503)).toBe(503);
    expect(handedBack).toEqual([true, true]);
  });

  it('with a reporter: the gate waits for the answer and tracks it, 5xx as an error (admins not)', async () => {
    const recorded: { outcome: string; reason: string }[] = [];
    const pending: Promise<void>[] = [];
    const { get, handedBack } = await warmGate({ record: (decision, outcome) => void pending.push(decision.then((d) => void recorded.push({ outcome, reason: d.reason }))) });
    await Promise.all(pending);
    expect(recorded).toEqual([{ outcome: 'success', reason: 'allowlist' }]); // the cold request's
    recorded.length = 0;
    expect(await get(200)).toBe(200);
    expect(await get(503)).toBe(503);
    expect(await get(200, 'admin')).toBe(200);
    await Promise.all(pending);
    expect(handedBack).toEqual([false, false, false]);
    expect(recorded).toEqual([
      { outcome: 'success', reason: 'allowlist' },
      { outcome: 'error', reason: 'allowlist' },
      { outcome: 'success', reason: 'admin' },
    ]);
  });
});

describe("a request's memo (flagstage/hono, workerd)", () => {
  it('is bound to the document it was made on: a new revision mid-request is decided on its own evaluation', async () => {
    // The identity's memo keeps decisions and the engine's evaluation for the request; a refresh
    // landing between two of its decisions must not let the second reuse the first revision's
    // evaluation.
    const before = await staticSource(buildDocument(manifest, { gastown: { stage: 'ga' }, convoys: { stage: 'ga' } })).current();
    const after = await staticSource(buildDocument(manifest, { gastown: { stage: 'ga' }, convoys: { stage: 'admin-only' } })).current();
    let held = before;
    const flags = createFlagstage({ manifest, source: { current: async () => held, fresh: () => held ?? undefined } });
    const app = new Hono<AppEnv>();
    app.use(flagstage<AppEnv>(flags, { identity: () => users.alice }));
    app.get('/both', async (c) => {
      const first = await c.var.flagstage.decide('gastown');
      held = after; // a refresh landed
      const second = await c.var.flagstage.decide('convoys');
      return c.json({ first: [first?.allowed, first?.revision], second: [second?.allowed, second?.reason, second?.revision] });
    });
    const body = (await (await app.request('/both')).json()) as { first: unknown[]; second: unknown[] };
    expect(body.first).toEqual([true, before!.revision]);
    expect(body.second).toEqual([false, 'not-enabled', after!.revision]);
    expect(after!.revision).not.toBe(before!.revision);
  });
});
