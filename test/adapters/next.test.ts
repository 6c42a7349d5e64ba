// flagstage/next inside a real Next.js 16: test/next-app built with `next build` and served with
// `next start`, once with proxy.ts (Node runtime) and once with middleware.ts (edge runtime).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhookBody } from 'flagstage/webhook';
import { issueGrant } from 'flagstage/grants';
// The continuing route's secret, as test/next-app/lib/flags.ts sets it.
const GRANT_SECRET = 'g'.repeat(32);
import { signSession } from '../next-app/lib/session';
import { assertDistFresh, repoRoot } from './dist';
import { expectOfrep } from '../openfeature/ofrep-schema';
import { freePort } from '../helpers/ports';

const appDir = `${repoRoot}/test/next-app`;
const nextBin = `${repoRoot}/node_modules/next/dist/bin/next`;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

type Variant = 'proxy' | 'middleware';

// Correctness bounds for the setup, not speed figures: on the shared 2-core machine under a full
// run's load one `next build` took 201 s, and `next start` well over its old 15 s to answer.
const BUILD_MS = 600_000;
const START_MS = 120_000;
/** Everyone started here: a step past its bound is killed, and afterAll stops the servers. */
const children = new Set<ChildProcess>();

function run(args: string[], variant: Variant): ChildProcess {
  // Its own process group, so that stopping it stops the workers `next build` forks too.
  const child = spawn(process.execPath, [nextBin, ...args], { cwd: appDir, env: { ...env, FLAGSTAGE_NEXT_VARIANT: variant }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function stop(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

function build(variant: Variant): Promise<void> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = run(['build'], variant);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const bound = setTimeout(() => {
      stop(child, 'SIGKILL');
      reject(new Error(`next build (${variant}) did not finish within ${BUILD_MS / 1000} s:\n${output}`));
    }, BUILD_MS);
    child.on('close', (code) => {
      clearTimeout(bound);
      const seconds = (performance.now() - started) / 1000;
      console.log(`next build (${variant}): ${seconds.toFixed(1)} s`);
      if (code === 0) resolve();
      else reject(new Error(`next build (${variant}) exited ${code}:\n${output}`));
    });
  });
}

async function start(variant: Variant): Promise<string> {
  const port = await freePort();
  const child = run(['start', '-p', String(port), '-H', '127.0.0.1'], variant);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + START_MS;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start (${variant}) exited:\n${output}`);
    try {
      await fetch(`${origin}/login`, { signal: AbortSignal.timeout(10_000) });
      return origin;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  stop(child, 'SIGKILL');
  throw new Error(`next start (${variant}) did not answer within ${START_MS / 1000} s:\n${output}`);
}

const sessionCookie = async (userId: string) => `session=${await signSession(userId)}`;

async function get(origin: string, path: string, userId?: string): Promise<Response> {
  const headers: Record<string, string> = userId ? { cookie: await sessionCookie(userId) } : {};
  return fetch(`${origin}${path}`, { headers, redirect: 'manual' });
}

const origins: Partial<Record<Variant, string>> = {};
let setupFailure: unknown = null;

/**
 * The server a test talks to. When the setup failed every test fails with its reason: a hook that
 * throws (or runs past vitest's timeout) only marks the tests skipped, which a loaded run then
 * reports as if nothing were wrong.
 */
function originOf(variant: Variant): string {
  if (setupFailure !== null) throw new Error(`the Next app was not built and started: ${setupFailure instanceof Error ? setupFailure.message : String(setupFailure)}`, { cause: setupFailure });
  const origin = origins[variant];
  if (origin === undefined) throw new Error(`no Next server for ${variant}.ts`);
  return origin;
}

beforeAll(async () => {
  try {
    assertDistFresh();
    // Two builds of one app into separate distDirs, one after the other (concurrent builds of one
    // project race on shared files).
    await build('proxy');
    await build('middleware');
    for (const variant of ['proxy', 'middleware'] as const) origins[variant] = await start(variant);
  } catch (error) {
    setupFailure = error;
  }
  // Each step has its own bound (above); the hook's is only past their sum.
}, 2 * BUILD_MS + 2 * START_MS + 60_000);

afterAll(() => {
  for (const child of children) stop(child, 'SIGTERM');
});
// Their own groups do not get the terminal's Ctrl-C: a run that ends without afterAll stops them too.
process.once('exit', () => {
  for (const child of children) stop(child, 'SIGKILL');
});

describe.each(['proxy', 'middleware'] as const)('flagGuard in %s.ts', (variant) => {
  const origin = () => originOf(variant);

  it('serves /gastown/* to allowed identities', async () => {
    for (const userId of ['u-alice', 'u-admin']) {
      const res = await get(origin(), '/gastown', userId);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Gastown towns');
    }
    const convoys = await get(origin(), '/gastown/convoys', 'u-alice');
    expect(convoys.status).toBe(200);
    expect(await convoys.text()).toContain('id="convoys"');
  });

  it('redirects denied identities away from /gastown/*', async () => {
    for (const path of ['/gastown', '/gastown/convoys', '/gastown/towns/42']) {
      const res = await get(origin(), path, 'u-bob');
      expect(res.status).toBe(307);
      expect(new URL(res.headers.get('location')!, origin()).pathname + new URL(res.headers.get('location')!, origin()).search).toBe('/?denied=gastown');
    }
  });

  it('redirects anonymous requests and forged cookies to the sign-in page', async () => {
    const anonymous = await get(origin(), '/gastown');
    expect(anonymous.status).toBe(307);
    expect(new URL(anonymous.headers.get('location')!, origin()).pathname).toBe('/login');
    const forged = await fetch(`${origin()}/gastown`, { headers: { cookie: 'session=u-admin.forged' }, redirect: 'manual' });
    expect(new URL(forged.headers.get('location')!, origin()).pathname).toBe('/login');
  });

  it('leaves routes outside its patterns alone', async () => {
    expect((await get(origin(), '/', 'u-bob')).status).toBe(200);
    expect((await get(origin(), '/gastownish', 'u-bob')).status).toBe(404);
  });
});

describe('server helper requireFlag', () => {
  const origin = () => originOf('proxy');

  it('renders for allowed identities', async () => {
    const res = await get(origin(), '/labs/convoys', 'u-alice');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Convoy lab');
  });

  it('calls redirect() for denied identities (convoys needs its parent gastown)', async () => {
    for (const userId of ['u-bob', undefined]) {
      const res = await get(origin(), '/labs/convoys', userId);
      expect(res.status).toBe(307);
      const location = new URL(res.headers.get('location')!, origin());
      expect(location.pathname + location.search).toBe('/?denied=server');
    }
  });

  it('calls notFound() when asked to', async () => {
    expect((await get(origin(), '/labs/molecules', 'u-alice')).status).toBe(404);
    expect((await get(origin(), '/labs/molecules', 'u-admin')).status).toBe(200);
  });

  it('hands the snapshot to React: the nav follows it in the server HTML', async () => {
    const alice = await (await get(origin(), '/', 'u-alice')).text();
    expect(alice).toContain('id="nav-gastown"');
    expect(alice).toContain('id="nav-molecules-off"');
    const bob = await (await get(origin(), '/', 'u-bob')).text();
    expect(bob).not.toContain('id="nav-gastown"');
    const admin = await (await get(origin(), '/', 'u-admin')).text();
    expect(admin).toContain('id="nav-molecules"');
  });
});

describe('grants and the webhook in Next route handlers', () => {
  const origin = () => originOf('proxy');
  const post = async (path: string, init: { userId?: string; headers?: Record<string, string>; body?: string } = {}) =>
    fetch(`${origin()}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...(init.userId ? { cookie: await sessionCookie(init.userId) } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });

  it('continuing: a valid grant lets work in flight through; without one the live decision applies', async () => {
    const bobsGrant = await issueGrant({ userId: 'u-bob', isAdmin: false }, ['gastown'], { secret: GRANT_SECRET, kid: 'k1', ttlSeconds: 300 });
    const viaGrant = await post('/api/callback', { userId: 'u-bob', headers: { 'x-flagstage-grant': bobsGrant } });
    expect(viaGrant.status).toBe(200);
    expect(await viaGrant.json()).toEqual({ via: 'grant', sub: 'u-bob' });
    const live = await post('/api/callback', { userId: 'u-bob' });
    expect(live.status).toBe(403);
    expect(await live.json()).toEqual({ error: 'flagstage.forbidden', flag: 'gastown' });
    expect(await (await post('/api/callback', { userId: 'u-alice' })).json()).toEqual({ via: 'decision', sub: null });
    const forged = await issueGrant({ userId: 'u-bob', isAdmin: false }, ['gastown'], { secret: 'f'.repeat(32), kid: 'k1', ttlSeconds: 300 });
    const refused = await post('/api/callback', { userId: 'u-bob', headers: { 'x-flagstage-grant': forged } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'flagstage.grant-bad-signature', flag: 'gastown' });
    expect((await post('/api/callback')).status).toBe(401);
  });

  it('mounts the Flagsmith webhook as a route handler', async () => {
    const body = JSON.stringify({ event_type: 'FLAG_UPDATED', data: {} });
    const signed = await post('/webhooks/flagsmith', { body, headers: { 'content-type': 'application/json', 'x-flagsmith-signature': await signWebhookBody('flagsmith-webhook-secret', body) } });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toMatchObject({ ok: true, code: 'refreshed' });
    const forged = await post('/webhooks/flagsmith', { body, headers: { 'x-flagsmith-signature': await signWebhookBody('nope', body) } });
    expect(forged.status).toBe(401);
  });
});

describe('OFREP in session mode as a Next route handler (ofrepSession)', () => {
  const origin = () => originOf('proxy');
  const evaluate = async (path: string, init: { userId?: string; context?: Record<string, unknown>; body?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${origin()}/ofrep/v1/evaluate/flags${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(init.userId ? { cookie: await sessionCookie(init.userId) } : {}), ...init.headers },
      body: init.body ?? JSON.stringify({ context: init.context ?? {} }),
    });

  it("evaluates one flag for the session's identity", async () => {
    expect(await expectOfrep('single', await evaluate('/gastown', { userId: 'u-alice', context: { targetingKey: 'u-alice' } }))).toMatchObject({ key: 'gastown', value: true, reason: 'TARGETING_MATCH', metadata: { reason: 'allowlist' } });
    expect(await expectOfrep('single', await evaluate('/gastown', { userId: 'u-bob', context: { targetingKey: 'u-bob' } }))).toMatchObject({ key: 'gastown', value: false, metadata: { reason: 'not-enabled' } });
    expect(await expectOfrep('single', await evaluate('/molecules', { userId: 'u-admin' }))).toMatchObject({ value: true, metadata: { reason: 'admin' } });
  });

  it('ignores a forged context: the session decides', async () => {
    for (const context of [{ targetingKey: 'u-alice' }, { targetingKey: 'u-admin', isAdmin: true }, { targetingKey: 'u-bob', isAdmin: true, orgId: 'o-acme' }]) {
      expect(await expectOfrep('single', await evaluate('/gastown', { userId: 'u-bob', context }))).toMatchObject({ value: false, metadata: { reason: 'not-enabled' } });
      expect(await expectOfrep('single', await evaluate('/molecules', { userId: 'u-bob', context }))).toMatchObject({ value: false });
    }
    const bulk = (await expectOfrep('bulk', await evaluate('', { userId: 'u-bob', context: { targetingKey: 'u-admin', isAdmin: true } }))) as { flags: { key: string; value: boolean }[] };
    expect(bulk.flags.every((flag) => flag.value === false)).toBe(true);
  });

  it('bulk: every flag with an ETag; If-None-Match answers 304 for the same identity, 200 for another', async () => {
    const first = await evaluate('', { userId: 'u-alice' });
    const etag = first.headers.get('etag');
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^".+"$/);
    const body = (await expectOfrep('bulk', first)) as { flags: { key: string; value: boolean }[] };
    expect(Object.fromEntries(body.flags.map((flag) => [flag.key, flag.value]))).toEqual({ gastown: true, convoys: true, prMerge: false, multiRig: false, molecules: false });
    const again = await evaluate('', { userId: 'u-alice', headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    await expectOfrep('bulk', again);
    const other = await evaluate('', { userId: 'u-bob', headers: { 'if-none-match': etag! } });
    expect(other.status).toBe(200);
    await expectOfrep('bulk', other);
  });

  it('answers bad requests as OFREP specifies; nobody signed in gets 401', async () => {
    expect(await expectOfrep('single', await evaluate('/gastown', { userId: 'u-alice', body: '{not json' }))).toMatchObject({ key: 'gastown', errorCode: 'PARSE_ERROR' });
    const unknown = await evaluate('/nope', { userId: 'u-alice' });
    expect(unknown.status).toBe(404);
    expect(await expectOfrep('single', unknown)).toMatchObject({ key: 'nope', errorCode: 'FLAG_NOT_FOUND' });
    const anonymous = await evaluate('/gastown', { context: { targetingKey: 'u-admin', isAdmin: true } });
    expect(anonymous.status).toBe(401);
    await expectOfrep('single', anonymous);
    const forgedCookie = await evaluate('/gastown', { headers: { cookie: 'session=u-admin.forged' } });
    expect(forgedCookie.status).toBe(401);
  });
});
