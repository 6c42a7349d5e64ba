// The admin page as `flagstage serve` runs it (the control plane in workerd, state under .flagstage/):
// the printed one-time sign-in link opens the page in Chromium, and a change made with the CLI's
// remote backend shows on the open page without a reload. The wait is a correctness bound, not a
// speed figure: the live script polls every 2 s (3.3 s measured alone), but a loaded machine has
// taken 16.7 s, so the test waits up to 30 s for it.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../../cli/serve/control';
import { cli } from '../helpers/cli';
import { launchChromium } from '../helpers/chromium';
import { manifest, project } from '../cli/support';

const dir = project('admin-serve');
let plane: RunningControlPlane;
let browser: Browser;

beforeAll(async () => {
  plane = await startControlPlane({ manifest, stateDir: join(dir, '.flagstage'), environment: 'development', environmentKey: 'ser.admin-serve-key', host: '127.0.0.1', port: 0, webhooks: [] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await plane?.stop();
});

describe('the admin page under flagstage serve', () => {
  it('signs in with the printed link; a CLI change shows on the open page without a reload', async () => {
    expect(plane.adminSignIn).toMatch(new RegExp(`^${plane.url}/admin/sign-in\\?code=fsl_`));
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(plane.adminSignIn);
    expect(new URL(page.url()).pathname).toBe('/admin/development');
    expect(await page.locator('header.top').innerText()).toMatch(/Signed in as local:\S+ \(owner\)/);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    expect(await page.locator('#flag-gastown [data-testid="kill"]').innerText()).toBe('off');

    const result = await cli(dir, ['kill', 'gastown', '--reason', 'incident from the terminal'], { FLAGSTAGE_URL: plane.url, FLAGSTAGE_TOKEN: plane.token });
    expect(result.code, result.stderr).toBe(0);
    await page.waitForFunction(() => document.querySelector('#flag-gastown [data-testid="kill"]')?.textContent === 'killed', undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.locator('#flag-gastown').innerText()).toContain('incident from the terminal');
    await context.close();
  }, 120_000);
});
