// A plan's guard on the admin page, in real Chromium against the real control plane (workerd via
// Miniflare, SQLite Durable Object): outcomes reported through the real ingest route with the
// ingest key; the page shows the guard's settings, its window ("not enough samples yet" under the
// minimum) and the environment's reports; enough errors trip the guard (it evaluates after each
// batch) and the open page shows the trip live: when, rate and samples, the kill, the paused plan,
// and that reviving is a human decision, which a person then makes through the page. Also without
// JavaScript, and axe.
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium';
import { startAdminServer, type AdminServer } from './harness';

const OWNER = 'local:guard-owner';
const XSS = '<img src=x onerror=alert(1)>';
const ARTIFACTS = new URL('../artifacts/admin/', import.meta.url).pathname;
const FLAG_PAGE = () => `${server.origin}/admin/production/flags/gastown`;

let server: AdminServer;
let browser: Browser;
let owner: BrowserContext;
let page: Page;

const outcomes = (errors: number, successes: number, extra: { flag: string; reason: string; outcome: 'error' | 'success'; count: number }[] = []) => ({
  sampleRate: 1,
  outcomes: [
    ...(errors > 0 ? [{ flag: 'gastown', reason: 'percentage', outcome: 'error', count: errors }] : []),
    ...(successes > 0 ? [{ flag: 'gastown', reason: 'percentage', outcome: 'success', count: successes }] : []),
    ...extra,
  ],
});

const text = (testId: string) => page.getByTestId(testId).innerText();

beforeAll(async () => {
  server = await startAdminServer([{ actor: OWNER, role: 'owner' }]);
  browser = await launchChromium();
  owner = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const tab = await owner.newPage();
  expect((await tab.goto(server.signIn[OWNER]!))?.status()).toBe(200);
  await tab.close();
  page = await owner.newPage();
  page.on('dialog', (dialog) => void dialog.dismiss());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a guarded plan on the flag page', () => {
  it('shows the guard settings, its empty window and that it has not enough samples', async () => {
    const made = await server.api('operator', 'POST', '/flags/gastown/plan', {
      steps: [10, 50],
      every: '1h',
      guard: { errorRate: 0.02, minSamples: 200, window: '10m' },
      reason: `guarded launch ${XSS}`,
    });
    expect(made.status).toBe(201);
    expect(made.json.plan.guardWindow).toMatchObject({ samples: 0, errors: 0, rate: 0 });

    await page.goto(FLAG_PAGE());
    expect(await text('guard-threshold')).toBe('above 2%');
    expect(await text('guard-min-samples')).toBe('200 outcomes in the window');
    expect(await text('guard-window')).toBe('10m');
    expect(await text('guard-now')).toMatch(/^0 errors in 0 outcomes since \S+: not enough samples yet \(0 of 200\)/);
    expect(await text('guard-reports')).toContain('0 batches taken');
    expect(await page.getByTestId('guard-alert').count()).toBe(0);
    expect(await text('plan-status')).toContain(XSS);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('counts outcomes reported with the ingest key; under the minimum a 6.67% rate is "not enough samples yet" and nothing is killed', async () => {
    const taken = await server.ingest(outcomes(10, 140, [{ flag: 'gastown', reason: 'ga', outcome: 'error', count: 5 }]));
    expect(taken).toEqual({ status: 202, json: { counted: 150, ignored: 5 } });
    // An admin token cannot report: refused, counted, nothing stored.
    expect((await server.ingest(outcomes(500, 0), server.tokens.owner)).status).toBe(401);

    await page.goto(FLAG_PAGE());
    expect(await text('guard-now')).toMatch(/^10 errors in 150 outcomes since \S+ \(6\.67%\): not enough samples yet \(150 of 200\); the guard never judges an under-sampled window\.$/);
    expect(await text('guard-reports')).toBe(
      '1 batch taken: 150 outcomes counted (allowlist or percentage), 5 ignored (GA). Refused, nothing stored: 1 without the ingest key, 0 malformed, 0 oversized.',
    );
    expect(await text('kill')).toBe('off');
    expect(await text('plan-guard')).toContain('Not tripped.');
    expect(await page.getByTestId('guard-alert').count()).toBe(0);
  });

  it('trips once the minimum arrives above the threshold: the open page shows the kill, the paused plan and the rate, live', async () => {
    await page.goto(FLAG_PAGE());
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    // 100 more with 3 errors: 13 errors in 250 outcomes, 5.2% > 2% with 250 >= 200 samples.
    expect(await server.ingest(outcomes(3, 97))).toEqual({ status: 202, json: { counted: 100, ignored: 0 } });

    const plan = (await server.api('viewer', 'GET', '/flags/gastown/plan')).json.plan;
    expect(plan.status).toBe('paused');
    expect(plan.guardState).toMatchObject({ rate: 0.052, samples: 250 });
    const audit = (await server.api('viewer', 'GET', '/audit?flag=gastown&limit=1000')).json.entries;
    const kill = audit.find((entry: { command: string }) => entry.command === 'kill');
    expect(kill).toMatchObject({ actor: 'guard:1' });
    expect(kill.reason).toContain('13 errors in 250 samples');

    // The kill changed the revision: the live script swaps the new regions in, without a reload.
    await page.waitForSelector('[data-testid="guard-alert"]', { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    const alert = await text('guard-alert');
    expect(alert).toContain('The guard tripped: gastown is killed');
    expect(alert).toContain(`At ${plan.guardState.trippedAt} the guard of plan 1 measured 5.2% errors in 250 outcomes (threshold 2%, at least 200 in 10m).`);
    expect(alert).toContain('It turned the kill-switch on');
    expect(alert).toContain('and paused the plan.');
    expect(alert).toContain('reviving is a human decision');
    expect(await text('guard-alert-rate')).toBe('5.2% errors');
    expect(await text('guard-alert-samples')).toBe('250 outcomes');
    expect(await page.getByRole('link', { name: 'Review and revive gastown' }).getAttribute('href')).toBe('#kill-switch');
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent?.includes('paused'), undefined, { timeout: 30_000 });
    expect(await text('plan-paused')).toContain('Paused by guard:1');
    expect(await text('kill')).toContain('killed');
    expect(await text('plan-guard')).toContain(`Tripped at ${plan.guardState.trippedAt}: 5.2% errors in 250 outcomes.`);
    expect(await text('guard-last-trip')).toBe(`${plan.guardState.trippedAt}: 5.2% errors in 250 outcomes; it turned the kill-switch on and paused the plan.`);
    expect(await text('guard-now')).toContain('the flag is killed; the guard does not look until it is revived.');
  }, 120_000);

  it('shows the trip without JavaScript too', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, storageState: await owner.storageState() });
    const tab = await context.newPage();
    await tab.goto(FLAG_PAGE());
    expect(await tab.getByTestId('guard-alert').innerText()).toContain('5.2% errors in 250 outcomes');
    expect(await tab.getByTestId('plan-status').innerText()).toContain('paused');
    await context.close();
  });

  it('has no serious or critical axe violation with a tripped guard', async () => {
    await page.goto(FLAG_PAGE());
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#guard-alert').screenshot({ path: `${ARTIFACTS}guard-tripped.png` });
    const result = await new AxeBuilder({ page }).analyze();
    const serious = result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => violation.id);
    expect(serious).toEqual([]);
  });

  it('reviving is a person’s change through the page; the guard does not count the old outcomes again', async () => {
    await page.goto(FLAG_PAGE());
    await page.getByRole('link', { name: 'Review and revive gastown' }).click();
    expect(new URL(page.url()).hash).toBe('#kill-switch');
    await page.locator('#kill-reason').fill('error spike fixed in build 412');
    await page.getByRole('button', { name: 'Revive gastown…' }).click();
    await page.getByRole('button', { name: 'Revive gastown now' }).click();
    await page.waitForURL(/saved=/);
    expect(await text('kill')).toBe('off');
    expect(await page.getByTestId('guard-alert').count()).toBe(0);
    expect(await text('guard-last-trip')).toContain('5.2% errors in 250 outcomes');
    // The window starts after the trip: the 250 outcomes that tripped it do not count again.
    expect(await text('guard-now')).toMatch(/^0 errors in 0 outcomes since \S+: not enough samples yet \(0 of 200\)/);
    const audit = (await server.api('viewer', 'GET', '/audit?flag=gastown&limit=1000')).json.entries;
    expect(audit.at(-1)).toMatchObject({ actor: OWNER, command: 'revive', reason: 'error spike fixed in build 412' });
  });
});
