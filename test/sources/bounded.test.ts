import { describe, expect, it } from 'vitest';
import { manifest } from '../../flags.gen';
import { createFlagstage } from '../../runtime/flagstage';
import type { SourceError } from '../../runtime/sources/errors';
import { flagsmithSource, type FlagsmithSourceOptions } from '../../runtime/sources/flagsmith';
import { signWebhookBody } from '../../runtime/sources/signature';
import { flagsmithWebhook } from '../../runtime/sources/webhook';
import { gastownDocument, revisionAt } from './documents';
import { fakeOrigin, type FakeOrigin } from './fake-origin';

const alice = { userId: 'alice', isAdmin: false };
const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/**
 * A body that never ends: one 64 KiB chunk per pull, each after a turn of the event loop as a network
 * body arrives (so timers, the source's timeout among them, still run), counting what was produced
 * and whether it was cancelled.
 */
function endlessBody() {
  const state = { produced: 0, cancelled: false };
  const chunk = new Uint8Array(CHUNK).fill(0x20); // spaces: valid JSON whitespace, forever
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setImmediate(resolve));
      if (state.cancelled) return;
      state.produced += CHUNK;
      controller.enqueue(chunk.slice());
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function rig(origin: FakeOrigin, extra: Partial<FlagsmithSourceOptions> = {}) {
  const errors: SourceError[] = [];
  let endless: ReturnType<typeof endlessBody> | null = null;
  const source = flagsmithSource({
    apiUrl: origin.apiUrl,
    environmentKey: origin.key,
    ttlMs: 5_000,
    maxStaleMs: 60_000,
    // Short, so the unbounded read of the code before the cap could not take the machine down with it.
    timeoutMs: 800,
    fetch: async (url, init) => {
      if (endless === null) return origin.fetch(url, init);
      origin.counts.documents += 1;
      const body = endless;
      // Like a real connection: aborting the request ends the body.
      init.signal?.addEventListener('abort', () => void body.stream.cancel().catch(() => undefined));
      return new Response(body.stream, { status: 200, headers: { 'Content-Type': 'application/json' } });
    },
    onError: (error) => errors.push(error),
    ...extra,
  });
  const flags = createFlagstage({ manifest, source, logChanges: false, onError: () => undefined });
  return {
    source,
    flags,
    errors,
    startEndless() {
      endless = endlessBody();
      return endless.state;
    },
  };
}

const allowlisted = (revision: string) => gastownDocument({ revision, stage: 'allowlist', allowUsers: ['alice'] });

describe('flagsmithSource: the origin body is bounded (maxDocumentBytes)', () => {
  it('an endless body is cut off at the default 10 MiB: the last good document stays, onError says too-large, memory stays bounded', async () => {
    const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
    const { source, flags, errors, startEndless } = rig(origin);
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true, reason: 'allowlist' });

    const before = process.memoryUsage();
    const endless = startEndless();
    await source.refresh();
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    console.log(`[bounded] endless body: read ${(endless.produced / MiB).toFixed(2)} MiB before aborting; heap + buffers grew ${(grown / MiB).toFixed(1)} MiB`);

    expect(errors.map((error) => error.code)).toEqual(['too-large']);
    expect(errors[0]?.message).toContain('maxDocumentBytes');
    // The bound: the cap plus the chunks in flight (the stream's queue holds one): never the 2 s of body a timeout would allow.
    expect(endless.produced).toBeLessThanOrEqual(10 * MiB + 2 * CHUNK);
    expect(endless.cancelled).toBe(true);
    // Memory: the 10 MiB of chunks and their decoded text, with room for the collector's timing; stated bound 64 MiB.
    expect(grown).toBeLessThan(64 * MiB);
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true, reason: 'allowlist', revision: revisionAt(1) });
  });

  it('maxDocumentBytes is configurable, counts every page, and refuses a declared Content-Length past it without reading', async () => {
    const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
    const small = rig(origin, { maxDocumentBytes: 256 * 1024 });
    const endless = small.startEndless();
    expect(await small.source.current()).toBeNull(); // cold: nothing to keep, nothing invented
    expect(small.errors.map((error) => error.code)).toEqual(['too-large']);
    expect(endless.produced).toBeLessThanOrEqual(256 * 1024 + 2 * CHUNK);

    const errors: SourceError[] = [];
    let pulled = 0;
    const declared = flagsmithSource({
      apiUrl: origin.apiUrl,
      environmentKey: origin.key,
      ttlMs: 5_000,
      maxStaleMs: 60_000,
      timeoutMs: 1_500,
      maxDocumentBytes: 1_000,
      onError: (error) => errors.push(error),
      fetch: async () =>
        new Response(new ReadableStream({ pull: (controller) => void ((pulled += 1), controller.enqueue(new Uint8Array(10))) }), {
          headers: { 'Content-Length': '5000' },
        }),
    });
    expect(await declared.current()).toBeNull();
    expect(errors.map((error) => error.code)).toEqual(['too-large']);
    expect(pulled).toBeLessThanOrEqual(1);

    expect(() => flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, ttlMs: 1, maxStaleMs: 1, timeoutMs: 1, maxDocumentBytes: 0 })).toThrow(/maxDocumentBytes must be a positive whole number of bytes/);
  });
});

describe('flagsmithWebhook: replays and bursts are coalesced', () => {
  const SECRET = 'whsec-replay';
  const post = async (body: string) =>
    new Request('https://app.test/flagsmith/webhook', { method: 'POST', body, headers: { 'X-Flagsmith-Signature': await signWebhookBody(SECRET, body), 'Content-Type': 'application/json' } });
  const payload = (at: string) => JSON.stringify({ data: { changed_by: 'ops@example.com', timestamp: at, new_state: { enabled: true } }, event_type: 'FLAG_UPDATED' });

  it('one signed webhook replayed 100 times causes one origin fetch', async () => {
    const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
    const { source } = rig(origin);
    await source.current();
    const webhook = flagsmithWebhook({ secret: SECRET, source });
    const body = payload(new Date().toISOString());
    const before = origin.counts.documents;
    const codes: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      const response = await webhook(await post(body));
      expect(response.status).toBe(200);
      codes.push(((await response.json()) as { code: string }).code);
    }
    expect(origin.counts.documents - before).toBe(1);
    expect(codes[0]).toBe('refreshed');
    expect(new Set(codes.slice(1))).toEqual(new Set(['already-refreshed']));
  });

  it('a burst of 100 distinct signed webhooks shares refreshes: at most one in flight, one per minRefreshIntervalMs', async () => {
    const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
    const { source } = rig(origin, { minRefreshIntervalMs: 1_000 });
    await source.current();
    const webhook = flagsmithWebhook({ secret: SECRET, source });
    const before = origin.counts.documents;
    const base = Date.now();
    const requests = await Promise.all(Array.from({ length: 100 }, (_, i) => post(payload(new Date(base + i).toISOString()))));
    origin.serve(allowlisted(revisionAt(2)));
    const answers = await Promise.all(requests.map(async (request) => (await webhook(request)).json() as Promise<{ code: string; revision: string }>));
    expect(answers.every((answer) => answer.code === 'refreshed')).toBe(true);
    expect(origin.counts.documents - before).toBeLessThanOrEqual(2);
    // The change they announced is in: coalescing never drops the refresh that follows a change.
    expect(answers.at(-1)?.revision).toBe(revisionAt(2));
  });

  it('with maxAgeMs, a body whose data.timestamp is older than the window is refused without a fetch', async () => {
    const origin = fakeOrigin({ doc: allowlisted(revisionAt(1)) });
    const { source } = rig(origin);
    await source.current();
    const webhook = flagsmithWebhook({ secret: SECRET, source, maxAgeMs: 60_000 });
    const before = origin.counts.documents;
    const old = await webhook(await post(payload(new Date(Date.now() - 10 * 60_000).toISOString())));
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ code: 'stale-body' });
    expect(origin.counts.documents - before).toBe(0);
    const fresh = await webhook(await post(payload(new Date().toISOString())));
    expect(await fresh.json()).toMatchObject({ code: 'refreshed' });
  });
});
