import { describe, expect, it } from 'vitest';
import { manifest } from '../../flags.gen';
import { createFlagstage } from '../../runtime/flagstage';
import { FLAGSMITH_SOURCE_DEFAULTS, flagsmithSource } from '../../runtime/sources/index';
import { gastownDocument, revisionAt } from './documents';
import { fakeOrigin } from './fake-origin';

describe('flagsmithSource defaults', () => {
  it('are 5 s fresh, 1 h max-stale, 2 s timeout, 10 MiB, 1 s between forced refreshes and shared-cache checks', () => {
    expect(FLAGSMITH_SOURCE_DEFAULTS).toEqual({ ttlMs: 5_000, maxStaleMs: 3_600_000, timeoutMs: 2_000, maxDocumentBytes: 10 * 1024 * 1024, minRefreshIntervalMs: 1_000, sharedCacheCheckMs: 1_000 });
  });

  it('apply when ttlMs, maxStaleMs and timeoutMs are left out', async () => {
    const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1), stage: 'ga' }) });
    let clock = 1_000_000;
    const errors: string[] = [];
    const flags = createFlagstage({
      manifest,
      logChanges: false,
      source: flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, fetch: origin.fetch, now: () => clock }),
      onError: (error) => errors.push(error.code),
    });
    const user = { userId: 'u1', isAdmin: false };
    expect(await flags.decide('gastown', user)).toMatchObject({ allowed: true, reason: 'ga' });
    expect(origin.counts.documents).toBe(1);
    clock += FLAGSMITH_SOURCE_DEFAULTS.ttlMs - 1;
    await flags.decide('gastown', user);
    expect(origin.counts.documents).toBe(1); // still fresh
    clock += 1;
    // flags.source keeps flagsmithSource's type: refresh() is there without a second variable.
    await flags.decide('gastown', user);
    await flags.source.refresh();
    expect(origin.counts.documents).toBeGreaterThanOrEqual(2); // stale: refreshed

    origin.fail('http-500');
    clock += FLAGSMITH_SOURCE_DEFAULTS.maxStaleMs + 1;
    await flags.source.refresh();
    expect(errors).toEqual(['http-status', 'max-stale']);
  });

  it('still refuses a duration that is not positive', () => {
    const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1) }) });
    expect(() => flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, ttlMs: 0 })).toThrow(/^flagstage: flagsmithSource ttlMs must be a positive number/);
  });
});
