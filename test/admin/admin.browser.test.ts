// The admin page in real Chromium against the real control plane (workerd via Miniflare, SQLite
// Durable Object): the whole rollout driven only through the page, checked after every step by the
// control plane's explain API for a population and by its audit log; live updates; roles, CSRF, an
// XSS probe and axe.
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium';
import { startAdminServer, type AdminServer } from './harness';

const ARTIFACTS = new URL('../artifacts/admin/', import.meta.url).pathname;
const OWNER = 'local:owner';
const VIEWER = 'local:viewer';
const NO_SCRIPT = 'local:no-script';
const XSS = '<img src=x onerror=alert(1)>';

interface Identity {
  readonly userId: string;
  readonly orgId: string | null;
  readonly isAdmin: boolean;
}
interface Decision {
  readonly userId: string;
  readonly allowed: boolean;
  readonly reason: string;
}

// 400 ordinary users in 40 orgs, the allowlisted user alice (in org beta), carol in the allowlisted
// org acme, and an admin.
const population: Identity[] = [
  ...Array.from({ length: 400 }, (_, i) => ({ userId: `user-${i}`, orgId: `org-${i % 40}`, isAdmin: false })),
  { userId: 'alice', orgId: 'beta', isAdmin: false },
  { userId: 'carol', orgId: 'acme', isAdmin: false },
  { userId: 'root', orgId: null, isAdmin: true },
];
const listed = (identity: Identity) => identity.userId === 'alice' || identity.orgId === 'acme';

let server: AdminServer;
let browser: Browser;
let owner: BrowserContext;
let page: Page;

async function signIn(actor: string, javaScriptEnabled = true): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, javaScriptEnabled });
  const tab = await context.newPage();
  const response = await tab.goto(server.signIn[actor]!);
  expect(response?.status()).toBe(200);
  expect(new URL(tab.url()).pathname).toBe('/admin/production');
  await tab.close();
  return context;
}

async function decisions(): Promise<Map<string, Decision>> {
  const response = await server.api('viewer', 'POST', '/flags/gastown/explain', { identities: population });
  expect(response.status).toBe(200);
  return new Map((response.json.decisions as Decision[]).map((decision) => [decision.userId, decision]));
}

async function audit(): Promise<{ id: number; actor: string; command: string; flag: string; reason: string }[]> {
  const response = await server.api('viewer', 'GET', '/audit?limit=1000');
  expect(response.status).toBe(200);
  return response.json.entries;
}

async function revision(): Promise<number> {
  return (await server.api('viewer', 'GET', '/status')).json.revision;
}

async function shot(tab: Page, name: string): Promise<void> {
  await tab.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** Runs one step through the page and checks it left exactly one audit entry, by the signed-in person. */
async function step(command: string, act: () => Promise<void>): Promise<void> {
  const before = (await audit()).length;
  await act();
  const entries = await audit();
  expect(entries.length, `${command} must leave exactly one audit entry`).toBe(before + 1);
  const last = entries.at(-1)!;
  expect(last).toMatchObject({ actor: OWNER, command, flag: 'gastown' });
  // The page shows what it saved.
  expect(await page.locator('.banner.saved').innerText()).toContain(`${command} by ${OWNER}`);
}

async function gotoFlag(flag = 'gastown'): Promise<void> {
  await page.goto(`${server.origin}/admin/production/flags/${flag}`);
}

async function moveStage(stage: string, effect: string): Promise<void> {
  await gotoFlag();
  await page.locator(`#stage-${stage}`).check();
  await page.locator('#stage-reason').fill(`rollout: ${stage}`);
  await page.getByRole('button', { name: 'Review stage change' }).click();
  // The effect is spelled out before confirming.
  expect(await page.getByTestId('effect').innerText()).toContain(effect);
  await page.getByRole('button', { name: `Move gastown to ${stage}` }).click();
  await page.waitForURL(/saved=/);
}

async function setPercent(value: number): Promise<void> {
  await gotoFlag();
  await page.locator('#percent-value').fill(String(value));
  await page.locator('#percent-reason').fill(`ramp to ${value}%`);
  await page.getByRole('button', { name: 'Set percentage' }).click();
  await page.waitForURL(/saved=/);
}

async function killOrRevive(action: 'Kill' | 'Revive', reason: string): Promise<void> {
  await gotoFlag();
  await page.locator('#kill-reason').fill(reason);
  await page.getByRole('button', { name: `${action} gastown…` }).click();
  await page.getByRole('button', { name: `${action} gastown now` }).click();
  await page.waitForURL(/saved=/);
}

async function explainOnPage(userId: string, orgId: string): Promise<string> {
  await page.goto(`${server.origin}/admin/production/explain`);
  await page.getByLabel('User ID').fill(userId);
  await page.getByLabel('Org ID (optional)').fill(orgId);
  await page.getByRole('button', { name: 'Explain' }).click();
  return page.locator('tr[data-flag="gastown"] [data-testid="decision"]').innerText();
}

async function seriousViolations(tab: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: tab }).analyze();
  return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startAdminServer([
    { actor: OWNER, role: 'owner' },
    { actor: VIEWER, role: 'viewer' },
    { actor: NO_SCRIPT, role: 'operator' },
  ]);
  browser = await launchChromium();
  owner = await signIn(OWNER);
  page = await owner.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('admin page', () => {
  it('a sign-in link works once', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const again = await tab.goto(server.signIn[OWNER]!);
    expect(again?.status()).toBe(401);
    expect(await tab.locator('main').innerText()).toContain('already used');
    const unsigned = await tab.goto(`${server.origin}/admin/production`);
    expect(unsigned?.status()).toBe(401);
    await context.close();
  });

  it('drives the whole rollout through the page; the explain API and the audit log agree after every step', async () => {
    // A sub-flag under an admin-only parent says why raising it changes nothing.
    await gotoFlag('convoys');
    expect(await page.getByTestId('parent-block').innerText()).toContain('raising convoys changes nothing');

    await step('allow', async () => {
      await gotoFlag();
      await page.getByLabel('User IDs').fill('alice');
      await page.getByLabel('Org IDs').fill('acme');
      await page.locator('#allow-reason').fill('design partners');
      await page.getByRole('button', { name: 'Add to the allowlist' }).click();
      await page.waitForURL(/saved=/);
    });
    let now = await decisions();
    for (const identity of population) expect(now.get(identity.userId)?.allowed).toBe(identity.isAdmin);

    await step('stage', () => moveStage('allowlist', 'allowlist: 1 user and 1 org on the allowlist, plus admins'));
    now = await decisions();
    for (const identity of population) expect(now.get(identity.userId)?.allowed, identity.userId).toBe(identity.isAdmin || listed(identity));
    expect(await explainOnPage('alice', 'beta')).toContain('allowed (allowlist)');
    expect(await explainOnPage('user-1', 'org-1')).toContain('denied');

    await step('percent', () => setPercent(30));
    now = await decisions();
    for (const identity of population) expect(now.get(identity.userId)?.allowed, 'a percentage takes effect only at stage percentage').toBe(identity.isAdmin || listed(identity));

    await step('stage', () => moveStage('percentage', 'percentage 30% by user: about 30% of signed-in users, plus 1 user and 1 org on the allowlist, plus admins'));
    now = await decisions();
    const ordinary = population.filter((identity) => !identity.isAdmin && !listed(identity));
    for (const identity of population.filter((candidate) => candidate.isAdmin || listed(candidate))) expect(now.get(identity.userId)?.allowed).toBe(true);
    const at30 = new Set(ordinary.filter((identity) => now.get(identity.userId)?.allowed).map((identity) => identity.userId));
    expect(at30.size / ordinary.length).toBeGreaterThan(0.2);
    expect(at30.size / ordinary.length).toBeLessThan(0.4);

    await step('percent', () => setPercent(60));
    now = await decisions();
    const at60 = new Set(ordinary.filter((identity) => now.get(identity.userId)?.allowed).map((identity) => identity.userId));
    expect(at60.size / ordinary.length).toBeGreaterThan(0.5);
    expect(at60.size / ordinary.length).toBeLessThan(0.7);
    for (const id of at30) expect(at60.has(id), `ramping up dropped ${id}`).toBe(true);
    const before = new Map(now);

    // Ramping down asks for a confirmation; cancelling changes nothing.
    const count = (await audit()).length;
    await gotoFlag();
    await page.locator('#percent-value').fill('40');
    await page.locator('#percent-reason').fill('maybe lower');
    await page.getByRole('button', { name: 'Set percentage' }).click();
    expect(await page.getByTestId('effect').innerText()).toContain('Ramping down from 60% to 40%');
    await page.getByRole('link', { name: 'Cancel' }).click();
    expect((await audit()).length).toBe(count);

    await step('kill', () => killOrRevive('Kill', 'incident 42: error spike'));
    now = await decisions();
    for (const identity of population) expect(now.get(identity.userId)?.allowed, identity.userId).toBe(identity.isAdmin);
    expect(await explainOnPage('alice', 'beta')).toContain('denied (killed)');

    await step('revive', () => killOrRevive('Revive', 'incident 42 fixed'));
    now = await decisions();
    for (const identity of population) expect(now.get(identity.userId)?.allowed, `revive restores ${identity.userId} exactly`).toBe(before.get(identity.userId)?.allowed);

    await step('stage', () => moveStage('ga', 'GA: everyone signed in'));
    now = await decisions();
    for (const identity of population) expect(now.get(identity.userId)?.allowed).toBe(true);
    await page.goto(`${server.origin}/admin/production`);
    await shot(page, 'overview');
    // The README's picture (docs/admin-overview.png is a copy of it).
    await page.screenshot({ path: `${ARTIFACTS}overview-readme.png`, clip: { x: 0, y: 0, width: 1100, height: 560 } });
  });

  it('shows a change made elsewhere (the API, as the CLI makes it) without a reload', async () => {
    await page.goto(`${server.origin}/admin/production`);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const row = page.locator('#flag-multiRig');
    expect(await row.innerText()).toContain('0 users');
    expect(await row.innerText()).not.toContain('1 user,');
    const change = await server.api('operator', 'POST', '/flags/multiRig/allow', { users: ['zed'], reason: 'from the CLI' });
    expect(change.status).toBe(200);
    // A correctness wait, not a speed figure: the live script polls every 2 s; a loaded machine is slower.
    await page.waitForFunction(() => document.querySelector('#flag-multiRig')?.textContent?.includes('1 user,'), undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await row.innerText()).toContain('token:test-operator');
  });

  it('a viewer sees everything and changes nothing (the page and the API refuse)', async () => {
    const viewer = await signIn(VIEWER);
    const tab = await viewer.newPage();
    await tab.goto(`${server.origin}/admin/production/flags/gastown`);
    expect(await tab.locator('#why-disabled').innerText()).toContain('viewer');
    expect(await tab.locator('#stage-reason').isDisabled()).toBe(true);
    expect(await tab.getByRole('button', { name: 'Kill gastown…' }).isDisabled()).toBe(true);
    const atStart = await revision();
    // A hand-made POST with the viewer's own valid CSRF token: the page refuses it.
    const status = await tab.evaluate(async () => {
      const csrf = (document.querySelector('input[name=csrf]') as HTMLInputElement).value;
      const response = await fetch('/admin/production/flags/gastown/kill', { method: 'POST', body: new URLSearchParams({ csrf, reason: 'viewer tries', confirm: 'yes' }) });
      return response.status;
    });
    expect(status).toBe(403);
    expect((await server.api('viewer', 'POST', '/flags/gastown/kill', { reason: 'viewer tries' })).status).toBe(403);
    expect(await revision()).toBe(atStart);
    await tab.goto(`${server.origin}/admin/production/history`);
    expect(await tab.locator('#why-rollback-disabled').innerText()).toContain('owner');
    await viewer.close();
  });

  it('works without JavaScript: plain forms, a confirmation page, a 303 back', async () => {
    const context = await signIn(NO_SCRIPT, false);
    const tab = await context.newPage();
    await tab.goto(`${server.origin}/admin/production/flags/convoys`);
    await tab.locator('#stage-allowlist').check();
    await tab.locator('#stage-reason').fill('convoys beta');
    await tab.getByRole('button', { name: 'Review stage change' }).click();
    expect(await tab.getByTestId('effect').innerText()).toContain('convoys takes effect only where its parent gastown is allowed');
    await tab.getByRole('button', { name: 'Move convoys to allowlist' }).click();
    await tab.waitForURL(/saved=/);
    expect(await tab.getByTestId('stage').innerText()).toBe('allowlist');
    expect((await audit()).at(-1)).toMatchObject({ actor: NO_SCRIPT, command: 'stage', flag: 'convoys' });
    await context.close();
  });

  it('signs in through Cloudflare Access: the actor is the Access email, with its configured role', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { 'cf-access-jwt-assertion': await server.accessAssertion('ops@example.com') } });
    const tab = await context.newPage();
    await tab.goto(`${server.origin}/admin/production/flags/prMerge`);
    expect(await tab.locator('header.top').innerText()).toContain('ops@example.com (operator)');
    await tab.getByLabel('User IDs').fill('dana');
    await tab.locator('#allow-reason').fill('beta via Access');
    await tab.getByRole('button', { name: 'Add to the allowlist' }).click();
    await tab.waitForURL(/saved=/);
    expect((await audit()).at(-1)).toMatchObject({ actor: 'ops@example.com', command: 'allow', flag: 'prMerge' });
    // An operator cannot roll back.
    await tab.goto(`${server.origin}/admin/production/history`);
    expect(await tab.locator('#why-rollback-disabled').innerText()).toContain('owner');
    await context.close();
    const forged = await browser.newContext({ extraHTTPHeaders: { 'cf-access-jwt-assertion': `${(await server.accessAssertion('ops@example.com')).slice(0, -4)}AAAA` } });
    const refused = await forged.newPage();
    expect((await refused.goto(`${server.origin}/admin/production`))?.status()).toBe(401);
    await forged.close();
  });

  it('a form replayed without its CSRF token (or with a forged one) changes nothing', async () => {
    await gotoFlag();
    const atStart = await revision();
    const entries = (await audit()).length;
    const statuses = await page.evaluate(async () => {
      const post = (body: Record<string, string>) => fetch('/admin/production/flags/gastown/kill', { method: 'POST', body: new URLSearchParams(body) }).then((response) => response.status);
      return [
        await post({ reason: 'replay', confirm: 'yes' }),
        await post({ csrf: 'forged', reason: 'replay', confirm: 'yes' }),
        await post({ csrf: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', reason: 'replay', confirm: 'yes' }),
      ];
    });
    expect(statuses).toEqual([403, 403, 403]);
    expect(await revision()).toBe(atStart);
    expect((await audit()).length).toBe(entries);
  });

  it('shows user-supplied text as text: the XSS probe neither runs nor loads anything', async () => {
    const dialogs: string[] = [];
    const strayRequests: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== server.origin || url.pathname.endsWith('/x')) strayRequests.push(request.url());
    });
    await gotoFlag('molecules');
    await page.getByLabel('User IDs').fill(XSS);
    await page.locator('#allow-reason').fill('<script>alert(2)</script>');
    await page.getByRole('button', { name: 'Add to the allowlist' }).click();
    await page.waitForURL(/saved=/);
    expect(await page.locator('#allowlist').innerText()).toContain(XSS);
    await page.goto(`${server.origin}/admin/production/history?flag=molecules`);
    expect(await page.locator('#history').innerText()).toContain(`+ ${XSS}`);
    await page.goto(`${server.origin}/admin/production/explain?user=${encodeURIComponent(XSS)}&org=${encodeURIComponent('<b>x</b>')}`);
    expect(await page.locator('main h2').first().innerText()).toContain(XSS);
    await page.goto(`${server.origin}/admin/production`);
    await page.waitForTimeout(500);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(strayRequests).toEqual([]);
  });

  it('an owner rolls back to a revision from the history page, audited with a reason', async () => {
    const revisions = (await server.api('viewer', 'GET', '/history?limit=1000')).json.revisions as { revision: number; reason: string | null }[];
    const target = revisions.find((revision) => revision.reason === 'ramp to 60%')!.revision;
    const entries = (await audit()).length;
    await page.goto(`${server.origin}/admin/production/history`);
    await page.getByLabel('Revision', { exact: true }).selectOption(String(target));
    await page.locator('#rollback-reason').fill('back to the 60% state');
    await page.getByRole('button', { name: 'Review rollback' }).click();
    expect(await page.getByTestId('effect').innerText()).toContain(`equal revision ${target}`);
    await page.getByRole('button', { name: `Roll back to revision ${target}` }).click();
    await page.waitForURL(/saved=/);
    expect(await page.locator('.banner.saved').innerText()).toContain('Rolled back');
    const status = (await server.api('viewer', 'GET', '/status')).json;
    const gastown = status.flags.find((flag: { flag: string }) => flag.flag === 'gastown');
    expect(gastown).toMatchObject({ stage: 'percentage', killed: false, percentage: { value: 60, by: 'user' } });
    const added = (await audit()).slice(entries);
    expect(added.length).toBeGreaterThan(0);
    for (const entry of added) expect(entry).toMatchObject({ actor: OWNER, command: 'rollback', reason: 'back to the 60% state' });
  });

  it('has no serious or critical axe violation on the overview, a flag page, explain and history', async () => {
    const pages = {
      overview: '/admin/production',
      flag: '/admin/production/flags/gastown',
      explain: '/admin/production/explain?user=alice&org=beta',
      history: '/admin/production/history',
    };
    const found: Record<string, string[]> = {};
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(`${server.origin}${path}`);
      found[name] = await seriousViolations(page);
      await shot(page, name);
    }
    expect(found).toEqual({ overview: [], flag: [], explain: [], history: [] });
  });
});
