import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowlistAnswers } from './ofrep-answers';
import { launchChromium } from '../helpers/chromium';
import { repoRoot } from '../helpers/tmp';
import { documentFor } from './support';

/**
 * OFREP with the real OpenFeature clients: @openfeature/ofrep-provider (Node, server SDK) against a
 * Hono Worker in workerd (Miniflare, no nodejs_compat) in server-key mode, and
 * @openfeature/ofrep-web-provider (web SDK) in Chromium against the same Worker's session mode.
 */
const KEY = 'ofrep-server-key-for-tests-0123';
const document = documentFor({
  gastown: { stage: 'allowlist', users: ['u1'], orgs: ['acme'] },
  convoys: { stage: 'ga' },
  molecules: { stage: 'allowlist', users: ['u2'] },
});

let mf: Miniflare;
let origin: string;
let browser: Browser | undefined;

beforeAll(async () => {
  const bundle = (entry: string, platform: 'neutral' | 'browser') =>
    build({
      entryPoints: [`${repoRoot}test/openfeature/${entry}`],
      bundle: true,
      write: false,
      format: 'esm',
      platform,
      target: 'es2022',
      conditions: platform === 'neutral' ? ['source', 'workerd', 'worker', 'browser'] : ['source'],
      mainFields: platform === 'neutral' ? ['module', 'main'] : ['browser', 'module', 'main'],
      logLevel: 'error',
    }).then((result) => result.outputFiles[0]!.text);
  mf = new Miniflare({
    modules: true,
    script: await bundle('ofrep-worker.ts', 'neutral'),
    compatibilityDate: '2026-04-01',
    port: 0,
    host: '127.0.0.1',
    bindings: { DOCUMENT: JSON.stringify(document), OFREP_KEY: KEY, CLIENT_JS: await bundle('ofrep-web-client.ts', 'browser') },
  });
  origin = (await mf.ready).origin;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await OpenFeature.close();
  await mf?.dispose();
});

describe('@openfeature/ofrep-provider against a Hono Worker (server keys)', () => {
  it("evaluates the manifest's flags with the server's context, and reports OFREP errors as OpenFeature's", async () => {
    await OpenFeature.setProviderAndWait('ofrep', new OFREPProvider({ baseUrl: origin, headers: { 'X-API-Key': KEY } }));
    const client = OpenFeature.getClient('ofrep');
    await expectAllowlistAnswers(client);
  });

  it('a wrong key gets nothing', async () => {
    await OpenFeature.setProviderAndWait('ofrep-wrong', new OFREPProvider({ baseUrl: origin, headers: { 'X-API-Key': 'not-the-key-0123456789' } }));
    const details = await OpenFeature.getClient('ofrep-wrong').getBooleanDetails('convoys', false, { targetingKey: 'u1' });
    expect(details).toMatchObject({ value: false, reason: 'ERROR' });
  });
});

describe('@openfeature/ofrep-web-provider in Chromium (session mode)', () => {
  it("gets the session's answers whatever context the page claims; refetch with the ETag is a 304", async () => {
    browser = await launchChromium();
    const context = await browser.newContext();
    await context.addCookies([{ name: 'session', value: 'sess-u2', url: origin }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await mf.dispatchFetch(`${origin}/statuses`);
    await page.goto(origin);
    await page.waitForFunction(() => ((window as unknown as { __ofrep?: unknown[] }).__ofrep?.length ?? 0) >= 2, undefined, { timeout: 20_000 });
    const results = (await page.evaluate(() => (window as unknown as { __ofrep: unknown }).__ofrep)) as { round: number; flags: Record<string, { value: boolean; flagstageReason: string }> }[];
    expect(errors).toEqual([]);
    // The page claimed u1, an admin, in acme: the session says u2 (in acme, not an admin).
    const expected = { gastown: true, convoys: true, prMerge: false, multiRig: false, molecules: true };
    for (const round of results) {
      expect(Object.fromEntries(Object.entries(round.flags).map(([key, flag]) => [key, flag.value]))).toEqual(expected);
      expect(round.flags.multiRig!.flagstageReason).toBe('not-enabled'); // not 'admin'
      expect(round.flags.molecules!.flagstageReason).toBe('allowlist'); // u2's own allowlist entry
    }
    const statuses: number[] = [];
    for (let i = 0; i < 50 && !statuses.includes(304); i++) {
      statuses.push(...((await (await mf.dispatchFetch(`${origin}/statuses`)).json()) as number[]));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statuses[0]).toBe(200);
    expect(statuses).toContain(304);
    expect(statuses.every((status) => status === 200 || status === 304)).toBe(true);
    await context.close();
  });
});
