// flags.track() and flagstage/outcomes in workerd: what is batched, sampled, filtered and sent, and
// Hono's requireFlag reporting 5xx answers as errors, driven through app.request().
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { createFlagstage, staticSource, type FlagstageError, type Identity, type WaitUntil } from 'flagstage';
import { grantVerifier, issueGrant } from 'flagstage/grants';
import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
import { outcomeReporter, type OutcomeBatch, type OutcomeReporterOptions } from 'flagstage/outcomes';
import { manifest, requireGastown } from '../../flags.gen';
import { buildDocument } from '../../runtime/testing/index';
import { aliceOnly, everyone, killed, users, type Rollout } from '../adapters/support';

const INGEST_KEY = 'ing.test-ingest-key';
const SECRET = 'k'.repeat(32);

interface Sent {
  readonly url: string;
  readonly authorization: string | null;
  readonly batch: OutcomeBatch;
}

/** A reporter whose POSTs land in `sent` (answered `status`), its errors in `errors`. */
function harness(rollout: Rollout, options: Partial<OutcomeReporterOptions> & { status?: number } = {}) {
  const sent: Sent[] = [];
  const errors: FlagstageError[] = [];
  const reporter = outcomeReporter({
    url: 'https://control.test/',
    environment: 'production',
    ingestKey: INGEST_KEY,
    flushMs: 60_000,
    onError: (error) => errors.push(error),
    fetch: async (url, init) => {
      sent.push({ url, authorization: new Headers(init.headers).get('authorization'), batch: JSON.parse(String(init.body)) as OutcomeBatch });
      return new Response(null, { status: options.status ?? 202 });
    },
    ...options,
  });
  const flags = createFlagstage({ manifest, source: staticSource(buildDocument(manifest, rollout)), logChanges: false, outcomes: reporter });
  return { flags, reporter, sent, errors };
}

/** A waitUntil that keeps what it is handed, to await it like the runtime would. */
function context() {
  const promises: Promise<unknown>[] = [];
  const ctx: WaitUntil = { waitUntil: (promise) => void promises.push(promise) };
  return { ctx, settled: () => Promise.all(promises) };
}

const counted = (sent: readonly Sent[]) =>
  sent
    .flatMap((s) => s.batch.outcomes)
    .reduce<Record<string, number>>((all, entry) => ({ ...all, [`${entry.reason}/${entry.outcome}`]: (all[`${entry.reason}/${entry.outcome}`] ?? 0) + entry.count }), {});

describe('flags.track with outcomeReporter', () => {
  it('batches per isolate: one POST with the ingest key and counts per reason and outcome when the batch is full', async () => {
    const { flags, reporter, sent, errors } = harness(aliceOnly, { maxBatch: 10 });
    const { ctx } = context();
    for (let i = 0; i < 9; i += 1) flags.track(users.alice, 'gastown', i % 3 === 0 ? 'error' : 'success', ctx);
    await vi.waitFor(() => expect(reporter.pending).toBe(9));
    expect(sent).toHaveLength(0);
    flags.track(users.alice, 'gastown', 'success', ctx);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(reporter.pending).toBe(0);
    expect(sent[0]?.url).toBe('https://control.test/v1/environments/production/outcomes');
    expect(sent[0]?.authorization).toBe(`Bearer ${INGEST_KEY}`);
    expect(sent[0]?.batch.sampleRate).toBe(1);
    expect(sent[0]?.batch.outcomes).toEqual(
      expect.arrayContaining([
        { flag: 'gastown', reason: 'allowlist', outcome: 'error', count: 3 },
        { flag: 'gastown', reason: 'allowlist', outcome: 'success', count: 7 },
      ]),
    );
    expect(sent[0]?.batch.outcomes).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('sends a part-full batch flushMs after its first outcome, through the waitUntil it was handed', async () => {
    const { flags, sent } = harness(everyone, { flushMs: 5 });
    const { ctx, settled } = context();
    flags.track(users.alice, 'gastown', 'error', ctx);
    flags.track(users.bob, 'gastown', 'success', ctx);
    await settled();
    expect(sent).toHaveLength(1);
    expect(counted(sent)).toEqual({ 'ga/error': 1, 'ga/success': 1 });
  });

  it('sends nothing for admins nor for identities the flag denies (killed included)', async () => {
    const { flags, reporter, sent } = harness(aliceOnly);
    const { ctx, settled } = context();
    flags.track(users.admin, 'gastown', 'error', ctx);
    flags.track(users.bob, 'gastown', 'error', ctx);
    await settled();
    await reporter.flush();
    expect(sent).toEqual([]);
    const dead = harness(killed(aliceOnly));
    const later = context();
    dead.flags.track(users.alice, 'gastown', 'error', later.ctx);
    dead.flags.track(users.admin, 'gastown', 'error', later.ctx);
    await later.settled();
    await dead.reporter.flush();
    expect(dead.sent).toEqual([]);
  });

  it('samples: keeps the outcomes whose dice fall under sampleRate, sends them unscaled with the rate', async () => {
    let roll = 0;
    const dice = [0.1, 0.9, 0.3, 0.2, 0.6, 0.05, 0.99, 0.24];
    const { flags, reporter, sent } = harness(aliceOnly, { sampleRate: 0.25, random: () => dice[roll++ % dice.length] ?? 0 });
    for (let i = 0; i < 8; i += 1) flags.track(users.alice, 'gastown', i < 4 ? 'error' : 'success');
    await vi.waitFor(() => expect(reporter.pending).toBe(4));
    await reporter.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.batch.sampleRate).toBe(0.25);
    // Kept: 0.1 (error), 0.2 (error), 0.05 (success), 0.24 (success).
    expect(counted(sent)).toEqual({ 'allowlist/error': 2, 'allowlist/success': 2 });
  });

  it('never throws and never rejects: failures go to onError', async () => {
    const failing = harness(aliceOnly, { status: 500 });
    failing.flags.track(users.alice, 'gastown', 'error');
    await vi.waitFor(() => expect(failing.reporter.pending).toBe(1));
    await failing.reporter.flush();
    expect(failing.errors.map((error) => error.code)).toEqual(['http-status']);

    const errors: FlagstageError[] = [];
    const unreachable = outcomeReporter({ url: 'https://control.test', environment: 'production', ingestKey: INGEST_KEY, onError: (e) => errors.push(e), fetch: () => Promise.reject(new TypeError('connection refused')) });
    const flags = createFlagstage({ manifest, source: staticSource(buildDocument(manifest, aliceOnly)), logChanges: false, outcomes: unreachable });
    expect(() => flags.track({ userId: '', isAdmin: false } as Identity, 'gastown', 'error')).not.toThrow();
    expect(() => flags.track(users.alice, 'gastown', 'boom' as never)).not.toThrow();
    flags.track(users.alice, 'gastown', 'error');
    await vi.waitFor(() => expect(unreachable.pending).toBe(1));
    await unreachable.flush();
    await vi.waitFor(() => expect(errors.map((error) => error.code).sort()).toEqual(['invalid-identity', 'invalid-option', 'network']));
  });

  it('refuses bad options at construction, naming the fix', () => {
    const base = { url: 'https://control.test', environment: 'production', ingestKey: INGEST_KEY };
    expect(() => outcomeReporter({ ...base, sampleRate: 0 })).toThrow(/sampleRate 0/);
    expect(() => outcomeReporter({ ...base, url: 'control.test' })).toThrow(/absolute URL/);
    expect(() => outcomeReporter({ ...base, ingestKey: '' })).toThrow(/ingestKey/);
    expect(() => outcomeReporter({ ...base, environment: 'Prod!' })).toThrow(/environment/);
  });

  it('without a reporter, track does nothing', () => {
    const flags = createFlagstage({ manifest, source: staticSource(buildDocument(manifest, aliceOnly)), logChanges: false });
    expect(flags.track(users.alice, 'gastown', 'error')).toBeUndefined();
  });
});

describe("Hono's requireFlag reports the route's outcome", () => {
  const sessions: Record<string, Identity> = { admin: users.admin, alice: users.alice, bob: users.bob };
  type AppEnv = { Variables: { user: Identity | null } & FlagstageVariables };

  function appFor(rollout: Rollout) {
    const h = harness(rollout);
    const app = new Hono<AppEnv>();
    app.use(async (c, next) => {
      c.set('user', sessions[c.req.header('cookie')?.replace('session=', '') ?? ''] ?? null);
      await next();
    });
    app.use(flagstage<AppEnv>(h.flags, { identity: (c) => c.var.user, grants: { verify: grantVerifier({ secrets: { k1: SECRET } }) } }));
    app.get('/ok', requireFlag(requireGastown), (c) => c.text('ok'));
    app.get('/fails', requireFlag(requireGastown), (c) => c.text('down', 503));
    app.get('/throws', requireFlag(requireGastown), () => {
      throw new Error('the town exploded');
    });
    app.get('/missing', requireFlag(requireGastown), (c) => c.text('no such town', 404));
    app.get('/untracked', requireFlag(requireGastown, { track: false }), (c) => c.text('down', 500));
    app.post('/callback', requireFlag(requireGastown, { continuing: true }), (c) => c.text('down', 500));
    return { app, ...h };
  }
  const as = (who: string) => ({ headers: { cookie: `session=${who}` } });

  it('5xx (returned or thrown) is an error, anything else a success; admins, denied, opted-out and grant routes report nothing', async () => {
    const { app, reporter, sent } = appFor(aliceOnly);
    expect((await app.request('/ok', as('alice'))).status).toBe(200);
    expect((await app.request('/fails', as('alice'))).status).toBe(503);
    expect((await app.request('/throws', as('alice'))).status).toBe(500);
    expect((await app.request('/missing', as('alice'))).status).toBe(404);
    expect((await app.request('/untracked', as('alice'))).status).toBe(500);
    expect((await app.request('/fails', as('admin'))).status).toBe(503);
    expect((await app.request('/ok', as('bob'))).status).toBe(403);
    expect((await app.request('/ok')).status).toBe(401);
    const grant = await issueGrant(users.alice, ['gastown'], { secret: SECRET, kid: 'k1', ttlSeconds: 300 });
    expect((await app.request('/callback', { method: 'POST', headers: { cookie: 'session=alice', 'x-flagstage-grant': grant } })).status).toBe(500);
    await vi.waitFor(() => expect(reporter.pending).toBe(4));
    await reporter.flush();
    expect(sent).toHaveLength(1);
    expect(counted(sent)).toEqual({ 'allowlist/success': 2, 'allowlist/error': 2 });
  });
});
