import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium as launchBrowser } from '../../helpers/chromium';
import { repoRoot } from '../../helpers/tmp';

export const artifactsDir = join(repoRoot, 'test/artifacts/gastown');

/** Debian's Chromium (test/helpers/chromium.ts), with the artifacts folder ready. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(artifactsDir, { recursive: true });
  return launchBrowser();
}

/** A user in their own browser context (own cookie jar), signed in through the login page. */
export interface BrowserUser {
  readonly userId: string;
  readonly context: BrowserContext;
  readonly page: Page;
}

export async function signInWithBrowser(browser: Browser, appUrl: string, userId: string): Promise<BrowserUser> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${appUrl}/login`);
  await page.getByTestId(`login-${userId}`).click();
  await page.waitForURL(`${appUrl}/`);
  return { userId, context, page };
}

/** What the user sees when they try Gastown: where they land, and which nav items they have. */
export interface GastownView {
  readonly landedOn: string;
  readonly inGastown: boolean;
  readonly navGastown: boolean;
  readonly navConvoys: boolean;
}

export async function visitGastown(user: BrowserUser, appUrl: string, screenshot: string): Promise<GastownView> {
  const { page } = user;
  await page.goto(`${appUrl}/gastown`);
  const url = new URL(page.url());
  const view: GastownView = {
    landedOn: `${url.pathname}${url.search}`,
    inGastown: (await page.getByTestId('gastown').count()) > 0,
    navGastown: (await page.getByTestId('nav-gastown').count()) > 0,
    navConvoys: (await page.getByTestId('nav-convoys').count()) > 0,
  };
  await page.screenshot({ path: join(artifactsDir, `${screenshot}.png`), fullPage: true });
  return view;
}

/** The merge strategies the town page offers this user. */
export async function mergeOptions(user: BrowserUser, appUrl: string, townId: string, screenshot: string): Promise<string[]> {
  const { page } = user;
  await page.goto(`${appUrl}/gastown/towns/${townId}`);
  const options = await page.getByTestId('merge-strategy').locator('option').evaluateAll((nodes) => nodes.map((node) => (node as HTMLOptionElement).value));
  await page.screenshot({ path: join(artifactsDir, `${screenshot}.png`), fullPage: true });
  return options;
}
