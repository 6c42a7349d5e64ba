import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from '../helpers/cli';
import { repoRoot, tempDir } from '../helpers/tmp';
import { artifactsDir, launchChromium, mergeOptions, signInWithBrowser, visitGastown, type BrowserUser } from './gastown/browser';
import { accessOf, agentCallback, createTown, dispatch, mutate, revisionOf, signIn, surfaceIdentities, type Access, type Session } from './gastown/http';
import { launchDemo, type LaunchedDemo } from './gastown/launch';
import { ADMIN, convoysAllowlist, gastownAllowlist, mapLimit, PILOT_ORG, PILOT_USER, prMergeOrgs, sorted, user, users } from './gastown/population';

/**
 * The whole rollout of Gastown, end to end: `npm start`'s launcher runs the demo (Next app, Hono
 * worker in workerd, the control plane under `flagstage serve`), the CLI's remote backend changes
 * stages, the admin page (signed in with the printed one-time link) kills and revives, and
 * Chromium plus plain HTTP check every layer for every seeded user: the page (proxy.ts + layout),
 * tRPC and the worker API. Screenshots of each step go to test/artifacts/gastown/.
 */

const STARTUP_MS = 10 * 60_000;
const STEP_MS = 3 * 60_000;

// The demo runs on a copy of the manifest, so its `.flagstage/` state is this test's own.
const dir = tempDir('gastown-e2e');
const config = join(dir, 'flags.config.ts');

let demo: LaunchedDemo;
let browser: Browser;
const sessions = new Map<string, Session>();
const browsers = new Map<string, BrowserUser>();

/**
 * Runs the flagstage CLI against the demo's control plane (the remote backend, with the URL and
 * owner token the banner prints), as the rollout's operator would.
 */
async function flagstage(...args: string[]): Promise<string> {
  const result = await cli(repoRoot, [...args, '--config', config, '--json'], { FLAGSTAGE_URL: demo.controlUrl, FLAGSTAGE_TOKEN: demo.controlToken });
  expect(result.code, `flagstage ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** A change (the control plane records a reason with each); `change()` also waits until the app and the worker hold it. */
async function changeOnly(...args: string[]): Promise<string> {
  return flagstage(...args, ...(args.includes('--reason') ? [] : ['--reason', `e2e: ${args.join(' ')}`]));
}

async function change(...args: string[]): Promise<void> {
  const { revision } = JSON.parse(await changeOnly(...args)) as { revision: string | null };
  if (revision !== null) await heldEverywhere(revision);
}

/** The control plane's current document revision (what the gates fetch). */
async function controlRevision(): Promise<string> {
  const response = await fetch(`${demo.flagsApiUrl}environment-document/`, { headers: { 'X-Environment-Key': demo.environmentKey } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { updated_at: string }).updated_at;
}

/** Waits until the app and the worker hold `revision` (or later). */
async function heldEverywhere(revision: string): Promise<void> {
  // The webhook makes this immediate; polling only absorbs the hop from the control plane.
  const deadline = Date.now() + 15_000;
  for (const health of [`${demo.appUrl}/api/health`, `${demo.workerUrl}/health`]) {
    for (;;) {
      const held = await revisionOf(health);
      if (held !== null && held >= revision) break;
      if (Date.now() > deadline) throw new Error(`${health} still holds revision ${held}, not ${revision}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function session(userId: string): Session {
  const found = sessions.get(userId);
  if (found === undefined) throw new Error(`no session for ${userId}`);
  return found;
}

function browserUser(userId: string): BrowserUser {
  const found = browsers.get(userId);
  if (found === undefined) throw new Error(`no browser for ${userId}`);
  return found;
}

/**
 * Every user's access at every layer. The layers must agree: in at the page means 200 from tRPC
 * and from the worker; out means a redirect and two 403s. Returns who is in.
 */
async function whoIsIn(): Promise<Set<string>> {
  const accesses = await mapLimit(users, 6, async (u) => [u.id, await accessOf(demo, session(u.id))] as const);
  const inside = new Set<string>();
  for (const [id, access] of accesses) {
    const expected: Access = access.page === 'in' ? { page: 'in', trpc: 200, worker: 200 } : { page: 'redirected', trpc: 403, worker: 403 };
    expect(access, `${id}: the page, tRPC and the worker must agree`).toEqual(expected);
    if (access.page === 'in') inside.add(id);
  }
  return inside;
}

/** Convoys' own allowlist holds whatever gastown's stage: its page opens only for them (and admins). */
async function expectConvoysLimited(gastownIn: Set<string>): Promise<void> {
  const results = await mapLimit([...gastownIn], 6, async (id) => {
    const response = await fetch(`${demo.appUrl}/gastown/convoys`, { headers: { cookie: `gastown_session=${encodeURIComponent(session(id).token)}` }, redirect: 'manual' });
    await response.arrayBuffer();
    return [id, response.status === 200] as const;
  });
  const expected = [...gastownIn].filter((id) => id === ADMIN || convoysAllowlist.has(id));
  expect(sorted(results.filter(([, open]) => open).map(([id]) => id))).toEqual(sorted(expected));
}

/** The admin page, signed in once with the launcher's printed one-time link (as the owner). */
let admin: Page | null = null;

async function adminPage(): Promise<Page> {
  if (admin !== null) return admin;
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  const response = await page.goto(demo.adminSignIn);
  expect(response?.status(), 'the printed sign-in link opens the admin page').toBe(200);
  expect(new URL(page.url()).pathname).toBe('/admin/development');
  admin = page;
  return page;
}

/** Kill or revive gastown on the admin page (reason, then the one confirmation); waits until the gates hold it. */
async function killOrReviveOnPage(action: 'Kill' | 'Revive', reason: string, screenshot: string): Promise<void> {
  const page = await adminPage();
  const before = await controlRevision();
  await page.goto(`${demo.controlUrl}/admin/development/flags/gastown`);
  await page.locator('#kill-reason').fill(reason);
  await page.getByRole('button', { name: `${action} gastown…` }).click();
  await page.getByRole('button', { name: `${action} gastown now` }).click();
  await page.waitForURL(/saved=/);
  await page.screenshot({ path: join(artifactsDir, `${screenshot}.png`), fullPage: true });
  const after = await controlRevision();
  expect(after > before, `the ${action.toLowerCase()} made a new revision`).toBe(true);
  await heldEverywhere(after);
  // Audited once, by the person signed in on the page, with the reason given there.
  const { entries } = JSON.parse(await flagstage('audit')) as { entries: { actor: string; command: string; flag: string; reason: string | null }[] };
  expect(entries.at(-1)).toMatchObject({ command: action.toLowerCase(), flag: 'gastown', reason });
  expect(entries.at(-1)?.actor).toMatch(/^local:/);
}

const towns = new Map<string, string>();

/** The user's town, created on first use (creating one needs gastown). */
async function townOf(userId: string): Promise<string> {
  let id = towns.get(userId);
  if (id === undefined) {
    id = (await createTown(demo.appUrl, session(userId), `${userId}-town`)).id;
    towns.set(userId, id);
  }
  return id;
}

/** prMerge offers `pr` only where allowed; `direct` works for everyone in Gastown. */
async function expectPrMergeOnlyWhereAllowed(gastownIn: Set<string>): Promise<void> {
  await mapLimit([...gastownIn], 4, async (id) => {
    const townId = await townOf(id);
    const mayPr = id === ADMIN || prMergeOrgs.has(user(id).orgId ?? '');
    const pr = await mutate(demo.appUrl, session(id), 'setMergeStrategy', { townId, strategy: 'pr' });
    expect(pr.status, `${id} setMergeStrategy pr`).toBe(mayPr ? 200 : 403);
    const direct = await mutate(demo.appUrl, session(id), 'setMergeStrategy', { townId, strategy: 'direct' });
    expect(direct.status, `${id} setMergeStrategy direct`).toBe(200);
  });
}

describe('Gastown: the whole rollout in Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium(); // first: without Chromium, stop before starting the demo
    copyFileSync(join(repoRoot, 'flags.config.ts'), config);
    demo = await launchDemo({ config, appDir: join(dir, 'app'), readyFile: join(dir, 'ready.json'), logFile: join(dir, 'launcher.log'), timeoutMs: STARTUP_MS - 30_000 });
    for (const u of users) sessions.set(u.id, await signIn(demo.appUrl, u.id));
    for (const id of [ADMIN, PILOT_USER, 'cal', 'ben']) browsers.set(id, await signInWithBrowser(browser, demo.appUrl, id));
  }, STARTUP_MS);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  }, 60_000);

  test('0. the banner prints the admin sign-in link and CLI commands that work as printed', async () => {
    const output = readFileSync(join(dir, 'launcher.log'), 'utf8');
    expect(output).toContain(demo.adminSignIn);
    const exported = /^  export FLAGSTAGE_URL=(\S+) FLAGSTAGE_TOKEN=(\S+)$/m.exec(output);
    expect(exported?.slice(1), 'the export line names the control plane and its owner token').toEqual([demo.controlUrl, demo.controlToken]);
    const status = /^  npx flagstage (status --config \S+)$/m.exec(output)?.[1];
    expect(status).toBeDefined();
    const result = await cli(repoRoot, status!.split(' '), { FLAGSTAGE_URL: exported![1], FLAGSTAGE_TOKEN: exported![2] });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`remote: ${demo.controlUrl}`);
  }, STEP_MS);

  test('1. admin-only: the admin sees Gastown; everyone else is redirected, has no nav item, and gets 403s', async () => {
    expect(sorted(await whoIsIn())).toEqual([ADMIN]);

    const admin = await visitGastown(browserUser(ADMIN), demo.appUrl, '1-admin-only-ada');
    expect(admin).toMatchObject({ landedOn: '/gastown', inGastown: true, navGastown: true, navConvoys: true });
    const outsider = await visitGastown(browserUser('ben'), demo.appUrl, '1-admin-only-ben');
    expect(outsider).toMatchObject({ landedOn: '/?denied=gastown', inGastown: false, navGastown: false, navConvoys: false });

    // Refusals carry a stable code and nothing internal.
    const refused = await mutate(demo.appUrl, session('ben'), 'createTown', { name: 'nope' });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('flagstage: forbidden (gastown)');
    expect(JSON.stringify(refused.body)).not.toMatch(/stack|allowlist|segment/i);
    await expectConvoysLimited(new Set([ADMIN]));
  }, STEP_MS);

  test('1b. two session cookies: the page, proxy.ts and tRPC all act for the first valid one', async () => {
    const names = new Map(users.map((u) => [u.name, u.id]));
    const cookie = (...tokens: string[]) => tokens.map((token) => `gastown_session=${encodeURIComponent(token)}`).join('; ');
    const forge = (token: string) => `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const ada = session(ADMIN).token;
    const ben = session('ben').token;
    const asAdmin = { page: ADMIN, proxy: 'admin', trpc: 200, trpcMe: ADMIN };
    const asBen = { page: 'ben', proxy: 'refused', trpc: 403, trpcMe: 'ben' };
    for (const [label, header, expected] of [
      ['a forged cookie, then a valid one', cookie(forge(ada), ben), asBen],
      ['two valid cookies (first wins)', cookie(ben, ada), asBen],
      ['a valid cookie, then a forged one', cookie(ada, forge(ben)), asAdmin],
    ] as const) {
      expect(await surfaceIdentities(demo.appUrl, header, names), label).toEqual(expected);
    }
  }, STEP_MS);

  test('2. allowlist a user and an org: exactly they and the org members get in', async () => {
    await changeOnly('stage', 'gastown', 'allowlist', '--reason', 'pilot');
    await changeOnly('allow', 'gastown', '--user', PILOT_USER, '--org', PILOT_ORG);
    await changeOnly('stage', 'convoys', 'allowlist');
    await changeOnly('allow', 'convoys', '--user', PILOT_USER);
    await changeOnly('stage', 'prMerge', 'allowlist');
    await change('allow', 'prMerge', '--org', PILOT_ORG);

    const inside = await whoIsIn();
    expect(sorted(inside)).toEqual(sorted([ADMIN, ...gastownAllowlist]));

    expect(await visitGastown(browserUser(PILOT_USER), demo.appUrl, '2-allowlist-bea')).toMatchObject({ inGastown: true, navGastown: true, navConvoys: true });
    expect(await visitGastown(browserUser('cal'), demo.appUrl, '2-allowlist-cal')).toMatchObject({ inGastown: true, navGastown: true, navConvoys: false });
    expect(await visitGastown(browserUser('ben'), demo.appUrl, '2-allowlist-ben')).toMatchObject({ inGastown: false, navGastown: false });

    expect(await mergeOptions(browserUser('cal'), demo.appUrl, await townOf('cal'), '2-allowlist-cal-town')).toEqual(['direct', 'pr']);
    expect(await mergeOptions(browserUser(PILOT_USER), demo.appUrl, await townOf(PILOT_USER), '2-allowlist-bea-town')).toEqual(['direct']);
    await expectPrMergeOnlyWhereAllowed(inside);
    await expectConvoysLimited(inside);
    const sling = (id: string) => mutate(demo.appUrl, session(id), 'slingBatch', { townId: towns.get(id) ?? 'none', beads: ['bead-1', 'bead-2'] });
    expect((await sling(PILOT_USER)).status).toBe(200);
    expect((await sling('cal')).status).toBe(403);
  }, STEP_MS);

  let atFiftyPercent = new Set<string>();
  let dispatchedBeforeKill: { containerId: string; grant: string } | null = null;

  test('3. 50% by org: whole orgs are in or out, roughly half', async () => {
    await changeOnly('percent', 'gastown', '50', '--by', 'org');
    await change('stage', 'gastown', 'percentage');

    const inside = await whoIsIn();
    atFiftyPercent = inside;
    for (const id of [ADMIN, ...gastownAllowlist]) expect(inside.has(id), `${id} stays in`).toBe(true);

    // Outside the allowlist, an org is in or out as a whole.
    const byOrg = new Map<string, boolean[]>();
    for (const u of users) {
      if (u.orgId === null || u.isAdmin || gastownAllowlist.has(u.id)) continue;
      byOrg.set(u.orgId, [...(byOrg.get(u.orgId) ?? []), inside.has(u.id)]);
    }
    for (const [org, members] of byOrg) expect(new Set(members).size, `org ${org} split`).toBe(1);
    const orgsIn = [...byOrg.values()].filter((members) => members[0]).length;
    expect(orgsIn / byOrg.size, `${orgsIn} of ${byOrg.size} orgs in`).toBeGreaterThanOrEqual(0.25);
    expect(orgsIn / byOrg.size, `${orgsIn} of ${byOrg.size} orgs in`).toBeLessThanOrEqual(0.75);
    // Bucketing by org: a user without an org is never in the split.
    expect(inside.has('nia')).toBe(false);

    // The CLI's explain agrees with what the servers did, user by user.
    const identities = join(dir, 'identities.jsonl');
    writeFileSync(identities, users.map((u) => JSON.stringify({ userId: u.id, orgId: u.orgId, isAdmin: u.isAdmin })).join('\n'));
    const explained = (await flagstage('explain', 'gastown', '--users-file', identities))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { userId: string; allowed: boolean });
    expect(explained.filter((decision) => decision.allowed).map((decision) => decision.userId).sort()).toEqual(sorted(inside));

    await expectConvoysLimited(inside);
    const crowdIn = users.find((u) => u.role.startsWith('crowd') && inside.has(u.id));
    const crowdOut = users.find((u) => u.role.startsWith('crowd') && !inside.has(u.id));
    for (const [u, expected] of [[crowdIn, true], [crowdOut, false]] as const) {
      if (u === undefined) continue;
      const viewer = await signInWithBrowser(browser, demo.appUrl, u.id);
      browsers.set(u.id, viewer);
      expect(await visitGastown(viewer, demo.appUrl, `3-percentage-${u.id}`)).toMatchObject({ inGastown: expected, navGastown: expected, navConvoys: false });
    }

    // Work starts before the kill: the pilot user dispatches a container, which calls back.
    const started = await dispatch(demo.workerUrl, session(PILOT_USER), await townOf(PILOT_USER));
    expect(started.status).toBe(201);
    dispatchedBeforeKill = { containerId: started.dispatch!.container.id, grant: started.dispatch!.grant };
    expect((await agentCallback(demo.workerUrl, dispatchedBeforeKill.containerId, dispatchedBeforeKill.grant)).status).toBe(200);
  }, STEP_MS);

  test('4. kill on the admin page: everyone but the admin loses access on the next request; running containers keep calling back', async () => {
    await killOrReviveOnPage('Kill', 'incident drill', '4-admin-kill');

    expect(sorted(await whoIsIn())).toEqual([ADMIN]);
    expect(await visitGastown(browserUser(PILOT_USER), demo.appUrl, '4-killed-bea')).toMatchObject({ landedOn: '/?denied=gastown', navGastown: false, navConvoys: false });
    expect(await visitGastown(browserUser(ADMIN), demo.appUrl, '4-killed-ada')).toMatchObject({ inGastown: true, navGastown: true });

    // In flight: the container's grant, not a live decision.
    const { containerId, grant } = dispatchedBeforeKill!;
    const callback = await agentCallback(demo.workerUrl, containerId, grant);
    expect(callback.status).toBe(200);
    expect(callback.body).toMatchObject({ containerId, callbacks: 2 });
    // New work: decided live, refused; the admin floor stays.
    expect((await dispatch(demo.workerUrl, session(PILOT_USER), await townOf(PILOT_USER))).status).toBe(403);
    expect((await dispatch(demo.workerUrl, session(ADMIN), await townOf(ADMIN))).status).toBe(201);
    // A grant is checked, not trusted: a forged one is refused, and no grant means a live decision.
    const forged = `${grant.slice(0, -4)}${grant.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect((await agentCallback(demo.workerUrl, containerId, forged)).status).toBe(403);
    const noGrant = await fetch(`${demo.workerUrl}/api/containers/${containerId}/callbacks`, { method: 'POST' });
    expect(noGrant.status).toBe(401);
  }, STEP_MS);

  test('5. revive on the admin page: the 50% stage is back exactly', async () => {
    await killOrReviveOnPage('Revive', 'drill over', '5-admin-revive');
    expect(sorted(await whoIsIn())).toEqual(sorted(atFiftyPercent));
    const crowdIn = users.find((u) => u.role.startsWith('crowd') && atFiftyPercent.has(u.id));
    if (crowdIn !== undefined) {
      const viewer = browsers.get(crowdIn.id) ?? (await signInWithBrowser(browser, demo.appUrl, crowdIn.id));
      expect(await visitGastown(viewer, demo.appUrl, `5-revived-${crowdIn.id}`)).toMatchObject({ inGastown: true });
    }
    await expectConvoysLimited(atFiftyPercent);
  }, STEP_MS);

  test('6. GA: everyone is in; convoys and prMerge stay on their own allowlists', async () => {
    await change('stage', 'gastown', 'ga');
    const inside = await whoIsIn();
    expect(sorted(inside)).toEqual(sorted(users.map((u) => u.id)));

    expect(await visitGastown(browserUser('ben'), demo.appUrl, '6-ga-ben')).toMatchObject({ inGastown: true, navGastown: true, navConvoys: false });
    expect(await mergeOptions(browserUser('ben'), demo.appUrl, await townOf('ben'), '6-ga-ben-town')).toEqual(['direct']);
    expect(await mergeOptions(browserUser('cal'), demo.appUrl, await townOf('cal'), '6-ga-cal-town')).toEqual(['direct', 'pr']);
    await expectConvoysLimited(inside);
    await expectPrMergeOnlyWhereAllowed(inside);

    // multiRig and molecules never left admin-only: a first rig is Gastown's, a second is not.
    const addRig = (id: string, name: string) => mutate(demo.appUrl, session(id), 'addRig', { townId: towns.get(id) ?? 'none', name });
    expect((await addRig('ben', 'rig-1')).status).toBe(200);
    expect((await addRig('ben', 'rig-2')).status).toBe(403);
    expect((await addRig(ADMIN, 'rig-1')).status).toBe(200);
    expect((await addRig(ADMIN, 'rig-2')).status).toBe(200);
    const molecule = (id: string) => mutate(demo.appUrl, session(id), 'createMolecule', { townId: towns.get(id) ?? 'none', formula: 'shiny' });
    expect((await molecule('ben')).status).toBe(403);
    expect((await molecule(ADMIN)).status).toBe(200);
    expect(artifactsDir).toContain('test/artifacts');
  }, STEP_MS);
});
