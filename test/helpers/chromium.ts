// The one way tests launch Chromium: Debian's /usr/bin/chromium (or CHROMIUM_PATH) through
// playwright-core, headless, with nothing that phones home. Never a downloaded browser.
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Where Chromium is expected: CHROMIUM_PATH, else Debian's package. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/**
 * Launches Chromium, or fails with one line that says how to get it (no stack trace: the fix is
 * an install, not a code change).
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const path = chromiumPath();
  try {
    accessSync(path, constants.X_OK);
  } catch {
    const error = new Error(
      `flagstage: the browser tests need Chromium, not found at ${path}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary`,
    );
    error.stack = `Error: ${error.message}`;
    throw error;
  }
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS, headless: true, ...options });
}
