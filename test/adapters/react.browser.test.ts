// flagstage/react in real Chromium: the page is server-rendered with the snapshot, then hydrated
// from the same snapshot embedded in the HTML. The nav must be right on first paint (before any
// script runs), hydration must change nothing, and the page must never ask anyone for flags.
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { Browser, Route } from 'playwright-core';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flagstage, FlagSnapshot, Identity } from 'flagstage';
import { App } from './react-app/app';
import { aliceOnly, flagsFor, users } from './support';
import { repoRoot } from './dist';
import { launchChromium } from '../helpers/chromium';


let server: Server;
let origin: string;
let browser: Browser;
let clientJs: string;
let flagEndpointHits = 0;
const flags: Flagstage = flagsFor(aliceOnly);
const identities: Record<string, Identity> = { alice: users.alice, bob: users.bob, admin: users.admin };

// `<` escaped so the snapshot cannot close the script element.
const embed = (snapshot: FlagSnapshot) => JSON.stringify(snapshot).replace(/</g, '\\u003c');

async function page(as: string): Promise<string> {
  const snapshot = await flags.snapshot(identities[as]!);
  const html = renderToString(createElement(App, { snapshot }));
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>gastown</title></head><body>
<div id="root">${html}</div>
<script type="application/json" id="flagstage-snapshot">${embed(snapshot)}</script>
<script type="module" src="/client.js"></script>
<div id="ssr-end"></div>
</body></html>`;
}

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [`${repoRoot}/test/adapters/react-app/client.tsx`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['source'],
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  clientJs = bundle.outputFiles[0]!.text;
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(await page(url.searchParams.get('as') ?? 'bob'));
    } else if (url.pathname === '/client.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(clientJs);
    } else if (url.pathname.startsWith('/api/flags')) {
      // A decoy flag endpoint: the page must never call it.
      flagEndpointHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

interface Visit {
  readonly firstPaint: { gastown: boolean; moleculesOff: boolean; molecules: boolean; sling: string | null; html: string };
  readonly hydrated: { html: string; mutations: number; errors: string[]; sling: string | null };
  readonly requests: { url: string; type: string }[];
}

async function visit(as: string): Promise<Visit> {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const requests: { url: string; type: string }[] = [];
  tab.on('request', (request) => requests.push({ url: request.url(), type: request.resourceType() }));
  const consoleErrors: string[] = [];
  tab.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  // Hold the client script: what the DOM holds before it runs is the server's first paint.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await tab.route('**/client.js', async (route: Route) => {
    await held;
    await route.continue();
  });
  await tab.goto(`${origin}/?as=${as}`, { waitUntil: 'commit' });
  await tab.waitForSelector('#ssr-end', { state: 'attached' });
  const firstPaint = await tab.evaluate(() => {
    const w = window as unknown as { __mutations: number; __hydrated?: boolean };
    w.__mutations = 0;
    new MutationObserver((records) => {
      for (const record of records) w.__mutations += record.addedNodes.length + record.removedNodes.length + (record.type === 'characterData' || record.type === 'attributes' ? 1 : 0);
    }).observe(document.getElementById('root')!, { subtree: true, childList: true, characterData: true, attributes: true });
    const visible = (id: string) => {
      const element = document.getElementById(id);
      return element !== null && element.getBoundingClientRect().width > 0;
    };
    return {
      gastown: visible('nav-gastown'),
      moleculesOff: visible('molecules-off'),
      molecules: visible('nav-molecules'),
      sling: document.getElementById('sling')?.getAttribute('data-mode') ?? null,
      html: document.getElementById('root')!.innerHTML,
      hydratedAlready: w.__hydrated === true,
    };
  });
  expect(firstPaint.hydratedAlready).toBe(false);
  release();
  await tab.waitForFunction(() => (window as unknown as { __hydrated?: boolean }).__hydrated === true, undefined, { timeout: 10_000 });
  await tab.waitForLoadState('networkidle');
  const hydrated = await tab.evaluate(() => {
    const w = window as unknown as { __mutations: number; __errors: string[] };
    return { html: document.getElementById('root')!.innerHTML, mutations: w.__mutations, errors: w.__errors, sling: document.getElementById('sling')?.getAttribute('data-mode') ?? null };
  });
  await context.close();
  return { firstPaint, hydrated: { ...hydrated, errors: [...hydrated.errors, ...consoleErrors] }, requests };
}

describe('flagstage/react in Chromium', () => {
  it.each([
    ['alice', { gastown: true, sling: 'batch' }],
    ['bob', { gastown: false, sling: 'single' }],
  ] as const)('paints the nav as %s’s snapshot says, hydrates without a change or a request', async (as, expected) => {
    const hitsBefore = flagEndpointHits;
    const { firstPaint, hydrated, requests } = await visit(as);
    expect(firstPaint.gastown).toBe(expected.gastown);
    expect(firstPaint.sling).toBe(expected.sling);
    expect(firstPaint.moleculesOff).toBe(true);
    expect(firstPaint.molecules).toBe(false);

    // Hydration keeps the server's DOM exactly: no flicker, no mismatch.
    expect(hydrated.errors).toEqual([]);
    expect(hydrated.mutations).toBe(0);
    expect(hydrated.html).toBe(firstPaint.html);
    expect(hydrated.sling).toBe(expected.sling);

    // The page loads itself and its script, nothing else: no flag endpoint, no fetch/XHR at all.
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(['/', '/client.js']);
    expect(requests.filter((r) => r.type === 'fetch' || r.type === 'xhr')).toEqual([]);
    expect(flagEndpointHits).toBe(hitsBefore);
  });

  it('shows admin-only flags to admins only', async () => {
    const { firstPaint } = await visit('admin');
    expect(firstPaint).toMatchObject({ gastown: true, molecules: true, moleculesOff: false });
  });
});
