// The admin page's rollout plan in real Chromium against the real control plane (workerd via
// Miniflare, SQLite Durable Object, its alarm on real time): create a plan through the page, watch
// its first step applied by the alarm show up live, pause, resume and cancel it with a reason and
// CSRF like every other form; a viewer sees it and changes nothing; user text stays text; axe.
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium';
import { startAdminServer, type AdminServer } from './harness';

const OWNER = 'local:plan-owner';
const VIEWER = 'local:plan-viewer';
const XSS = '<img src=x onerror=alert(1)>';
const ARTIFACTS = new URL('../artifacts/admin/', import.meta.url).pathname;

let server: AdminServer;
let browser: Browser;
let owner: BrowserContext;
let page: Page;

async function signIn(actor: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const tab = await context.newPage();
  expect((await tab.goto(server.signIn[actor]!))?.status()).toBe(200);
  await tab.close();
  return context;
}

async function lastAudit(): Promise<{ actor: string; command: string; flag: string; reason: string }> {
  const response = await server.api('viewer', 'GET', '/audit?flag=gastown&limit=1000');
  return response.json.entries.at(-1);
}

async function planForm(verb: 'Pause' | 'Resume' | 'Cancel', reason: string): Promise<void> {
  await page.goto(`${server.origin}/admin/production/flags/gastown`);
  await page.locator(verb === 'Cancel' ? '#plan-cancel-reason' : '#plan-control-reason').fill(reason);
  await page.getByRole('button', { name: `${verb} plan` }).click();
  await page.waitForURL(/saved=/);
}

beforeAll(async () => {
  server = await startAdminServer([
    { actor: OWNER, role: 'owner' },
    { actor: VIEWER, role: 'viewer' },
  ]);
  browser = await launchChromium();
  owner = await signIn(OWNER);
  page = await owner.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the rollout plan on the flag page', () => {
  it('refuses a bad plan with the field and the fix; nothing is created', async () => {
    await page.goto(`${server.origin}/admin/production/flags/gastown`);
    expect(await page.getByTestId('plan-status').innerText()).toContain('No rollout plan');
    await page.locator('#plan-steps-input').fill('5,1');
    await page.locator('#plan-reason').fill('wrong order');
    await page.getByRole('button', { name: 'Create plan' }).click();
    const banner = await page.locator('.banner.error').innerText();
    expect(banner).toContain('Nothing was changed');
    expect(banner).toMatch(/step 2 \(1%\) is not above step 1 \(5%\)/);
    expect(banner).toContain('Fix: list the steps in increasing order');
    expect((await server.api('viewer', 'GET', '/flags/gastown/plan')).status).toBe(404);
  });

  it('creates a plan; the alarm applies its first step and the page shows it live; pause, resume and cancel are audited', async () => {
    await page.goto(`${server.origin}/admin/production/flags/gastown`);
    await page.locator('#plan-steps-input').fill('10,50');
    await page.locator('#plan-every').fill('1h');
    await page.locator('#plan-then').check();
    await page.locator('#plan-guard-rate').fill('2%');
    await page.locator('#plan-reason').fill(`Gastown launch ${XSS}`);
    const created = Date.now();
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.waitForURL(/saved=/);
    expect(await page.locator('.banner.saved').innerText()).toContain(`ramp by ${OWNER}`);

    // The first step is due at once: the Durable Object's alarm applies it, the live script shows it.
    await page.waitForFunction(() => document.querySelector('#plan [data-step="1"]')?.textContent?.includes('applied'), undefined, { timeout: 15_000 });
    const status = await page.getByTestId('plan-status').innerText();
    expect(status).toMatch(/Plan 1: running, 1 of 3 steps applied, every 1h, then GA\. Created by local:plan-owner/);
    expect(status).toContain(XSS);
    expect(await page.locator('#plan img').count()).toBe(0);
    expect(await page.locator('#plan progress').getAttribute('value')).toBe('1');
    const next = await page.getByTestId('plan-next').innerText();
    expect(next).toMatch(/^Next: step 2 \(50%\) at (\S+)\.$/);
    const nextAt = Date.parse(/at (\S+)\.$/.exec(next)![1]!);
    expect(nextAt - created).toBeGreaterThan(3_600_000 - 5_000);
    expect(nextAt - created).toBeLessThan(3_600_000 + 10_000);
    expect(await page.getByTestId('plan-guard').innerText()).toBe('Guard: kill gastown when the error rate passes 2% with at least 200 outcomes in 10m. Not tripped.');
    expect(await page.getByTestId('stage').innerText()).toBe('percentage');
    expect(await lastAudit()).toMatchObject({ actor: 'plan:1', command: 'ramp' });

    await planForm('Pause', 'watching the error rate');
    expect(await page.locator('.banner.saved').innerText()).toContain(`pause by ${OWNER}`);
    expect(await page.getByTestId('plan-paused').innerText()).toContain(`Paused by ${OWNER}`);
    expect(await page.locator('#plan [data-step="2"]').innerText()).toContain('after resume');
    expect(await lastAudit()).toMatchObject({ actor: OWNER, command: 'pause', reason: 'plan 1 paused: watching the error rate' });

    await planForm('Resume', 'error rate flat');
    expect(await page.getByTestId('plan-status').innerText()).toContain('running');
    expect(await lastAudit()).toMatchObject({ actor: OWNER, command: 'resume' });

    await planForm('Cancel', 'by hand from here');
    expect(await page.getByTestId('plan-status').innerText()).toContain('cancelled');
    expect(await page.getByTestId('plan-ended').innerText()).toContain(`Cancelled at`);
    expect(await lastAudit()).toMatchObject({ actor: OWNER, command: 'cancel' });
    // A cancelled plan offers a new one.
    expect(await page.getByRole('button', { name: 'Create plan' }).isVisible()).toBe(true);
  });

  it('a change by hand pauses a running plan and the page says why', async () => {
    const made = await server.api('operator', 'POST', '/flags/multiRig/plan', { steps: [20, 40], every: '1h', reason: 'multi-rig' });
    expect(made.status).toBe(201);
    await page.goto(`${server.origin}/admin/production/flags/multiRig`);
    await page.waitForFunction(() => document.querySelector('#plan [data-step="1"]')?.textContent?.includes('applied'), undefined, { timeout: 15_000 });
    await page.locator('#percent-value').fill('30');
    await page.locator('#percent-reason').fill('a bit more by hand');
    await page.getByRole('button', { name: 'Set percentage' }).click();
    await page.waitForURL(/saved=/);
    expect(await page.getByTestId('plan-paused').innerText()).toContain('multiRig was changed (percent) by local:plan-owner, not by the plan');
  });

  it('a viewer sees the plan and cannot steer it (the page refuses a hand-made POST)', async () => {
    const viewer = await signIn(VIEWER);
    const tab = await viewer.newPage();
    await tab.goto(`${server.origin}/admin/production/flags/multiRig`);
    expect(await tab.getByTestId('plan-status').innerText()).toContain('paused');
    expect(await tab.getByRole('button', { name: 'Resume plan' }).isDisabled()).toBe(true);
    expect(await tab.getByRole('button', { name: 'Cancel plan' }).isDisabled()).toBe(true);
    const answer = await tab.evaluate(async () => {
      const csrf = (document.querySelector('input[name=csrf]') as HTMLInputElement).value;
      const response = await fetch('/admin/production/flags/multiRig/plan/cancel', { method: 'POST', body: new URLSearchParams({ csrf, reason: 'viewer tries' }) });
      return response.status;
    });
    expect(answer).toBe(403);
    const replay = await page.evaluate(async () => (await fetch('/admin/production/flags/multiRig/plan/cancel', { method: 'POST', body: new URLSearchParams({ reason: 'no csrf' }) })).status);
    expect(replay).toBe(403);
    expect((await server.api('viewer', 'GET', '/flags/multiRig/plan')).json.plan.status).toBe('paused');
    await viewer.close();
  });

  it('has no serious or critical axe violation on a flag page with a plan', async () => {
    await page.goto(`${server.origin}/admin/production/flags/multiRig`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#plan').screenshot({ path: `${ARTIFACTS}plan.png` });
    const result = await new AxeBuilder({ page }).analyze();
    const serious = result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => violation.id);
    expect(serious).toEqual([]);
  });
});
