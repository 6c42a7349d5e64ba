// The example's Hono worker at unit level: its routes through `app.request()` in Node, on a fixed
// document (no demo, no workerd), for the gating details the browser walkthrough cannot pin down.
import { describe, expect, test, vi } from 'vitest';
import { manifest } from '../../flags.gen';
import { createFlagstage } from '../../runtime/flagstage';
import { staticSource } from '../../runtime/sources/static';
import { signSession, verifySession } from '../../examples/gastown/shared/session';
import { buildDocument } from '../../runtime/testing/index';

// The example imports its generated gates as `@/flags.gen` (a tsconfig path its bundlers follow).
vi.mock('@/flags.gen', async () => await import('../../flags.gen'));
// Flags on a fixed document: Gastown GA, every sub-flag admin-only (so multiRig is denied to users).
vi.mock('../../examples/gastown/worker/flags', () => ({
  createWorkerFlags: () => {
    const source = staticSource(buildDocument(manifest, { gastown: { stage: 'ga' } }));
    return { flags: createFlagstage({ manifest, source, logChanges: false }), source };
  },
}));

const SESSION_SECRET = 'gastown-worker-app-test-session-secret-0123456789';
const env = {
  FLAGSMITH_API_URL: 'http://127.0.0.1:9/api/v1/',
  FLAGSMITH_ENVIRONMENT_KEY: 'ser.test',
  FLAGSMITH_WEBHOOK_SECRET: 'whsec-test',
  SESSION_SECRET,
  GRANT_SECRET: 'gastown-worker-app-test-grant-secret-0123456789',
  GRANT_KID: 'k1',
};

interface App {
  request(path: string, init: RequestInit, env: unknown): Response | Promise<Response>;
}

async function app(): Promise<App> {
  // Not a static import: the example's modules are typechecked with its own tsconfig (the path alias).
  const path = '../../examples/gastown/worker/app';
  const { createApp } = (await import(/* @vite-ignore */ path)) as { createApp: (env: unknown) => App };
  return createApp(env);
}

describe('examples/gastown worker app', () => {
  test('a second rig needs multiRig even when two rig requests race', async () => {
    const worker = await app();
    const auth = { authorization: `Bearer ${await signSession('cal', SESSION_SECRET)}` };
    const created = await worker.request('/api/towns', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'T' }) }, env);
    expect(created.status).toBe(201);
    const town = (await created.json()) as { id: string };

    // Request A passes the rig-count check while the town has no rig, then its body arrives late.
    let finishBody!: () => void;
    const slowBody = new ReadableStream<Uint8Array>({
      start(controller) {
        finishBody = () => {
          controller.enqueue(new TextEncoder().encode(JSON.stringify({ name: 'late' })));
          controller.close();
        };
      },
    });
    const slow = worker.request(
      `/api/towns/${town.id}/rigs`,
      { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: slowBody, duplex: 'half' } as RequestInit,
      env,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Request B adds the first rig meanwhile.
    const first = await worker.request(`/api/towns/${town.id}/rigs`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'first' }) }, env);
    expect(first.status).toBe(201);
    finishBody();
    const second = await slow;
    expect(second.status).toBe(403);
    expect(await second.json()).toEqual({ error: 'flagstage.forbidden', flag: 'multiRig' });

    const after = (await (await worker.request(`/api/towns/${town.id}`, { headers: auth }, env)).json()) as { rigs: unknown[] };
    expect(after.rigs).toHaveLength(1);
  });
});

describe('examples/gastown sessions', () => {
  test('a malformed session token is no session, never an exception (Next proxy, tRPC context, worker auth)', async () => {
    const good = await signSession('cal', SESSION_SECRET);
    const [, payload, signature] = good.split('.');
    // Base64url of a length no byte string has (1 mod 4): atob throws on it.
    for (const token of ['v1.A.A', `v1.${payload}.${signature}A`, `v1.${payload}A.${signature}`]) {
      await expect(verifySession(token, SESSION_SECRET)).resolves.toBeNull();
    }
    await expect(verifySession(good, SESSION_SECRET)).resolves.toMatchObject({ id: 'cal' });
  });

  test('the worker answers 401 to a malformed bearer token, not 500', async () => {
    const worker = await app();
    const response = await worker.request('/api/towns', { headers: { authorization: 'Bearer v1.A.A' } }, env);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'flagstage.unauthenticated', flag: 'gastown' });
  });
});

/** The example's tRPC route handler on a fixed document (Gastown GA), over fetch requests. */
async function trpcModules() {
  process.env.FLAGSMITH_API_URL ??= env.FLAGSMITH_API_URL;
  process.env.FLAGSMITH_ENVIRONMENT_KEY ??= env.FLAGSMITH_ENVIRONMENT_KEY;
  process.env.FLAGSMITH_WEBHOOK_SECRET ??= env.FLAGSMITH_WEBHOOK_SECRET;
  process.env.SESSION_SECRET ??= SESSION_SECRET;
  // Nothing listens on port 9 (discard): every call to the worker fails inside the server.
  process.env.GASTOWN_WORKER_URL ??= 'http://127.0.0.1:9';
  const router = '../../examples/gastown/lib/trpc/router';
  const context = '../../examples/gastown/lib/trpc/context';
  const { buildRouter } = (await import(/* @vite-ignore */ router)) as { buildRouter: (flags: unknown) => unknown };
  const { contextForRequest } = (await import(/* @vite-ignore */ context)) as { contextForRequest: (request: Request) => Promise<unknown> };
  const { fetchRequestHandler } = await import('@trpc/server/adapters/fetch');
  const flags = createFlagstage({ manifest, source: staticSource(buildDocument(manifest, { gastown: { stage: 'ga' } })), logChanges: false });
  const appRouter = buildRouter(flags) as Parameters<typeof fetchRequestHandler>[0]['router'];
  return (request: Request) =>
    fetchRequestHandler({ endpoint: '/api/trpc', req: request, router: appRouter, createContext: async () => (await contextForRequest(request)) as never });
}

describe('examples/gastown tRPC', () => {
  test('an internal failure answers INTERNAL_SERVER_ERROR without its message', async () => {
    const handle = await trpcModules();
    const cookie = `gastown_session=${await signSession('cal', SESSION_SECRET)}`;
    const response = await handle(new Request('http://app.test/api/trpc/listTowns', { headers: { cookie } }));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { message: 'internal', data: { code: 'INTERNAL_SERVER_ERROR' } } });
    expect(text).not.toMatch(/fetch failed|ECONNREFUSED|127\.0\.0\.1|stack/);
  });

  test('a malformed session cookie is no session: 401, not a 500 naming the decoder', async () => {
    const handle = await trpcModules();
    for (const cookie of ['gastown_session=%E0%A4%A', 'gastown_session=v1.A.A']) {
      const response = await handle(new Request('http://app.test/api/trpc/listTowns', { headers: { cookie } }));
      expect(response.status).toBe(401);
      expect(await response.text()).not.toMatch(/malformed|encoded/i);
    }
  });
});

describe('examples/gastown: one session parser', () => {
  const forge = (token: string) => `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;

  test('the first session cookie that verifies wins; forged, expired and unknown ones are skipped', async () => {
    const ada = await signSession('ada', SESSION_SECRET);
    const ben = await signSession('ben', SESSION_SECRET);
    const expired = await signSession('cal', SESSION_SECRET, -60);
    const unknown = await signSession('nobody', SESSION_SECRET);
    const { sessionFromCookies } = await import('../../examples/gastown/shared/session');
    const who = async (header: string) => (await sessionFromCookies(header, SESSION_SECRET))?.user.id ?? null;
    expect(await who(`gastown_session=${ben}; gastown_session=${ada}`)).toBe('ben');
    expect(await who(`gastown_session=${forge(ada)}; other=1; gastown_session=${ben}`)).toBe('ben');
    expect(await who(`gastown_session=${expired}; gastown_session=${ada}`)).toBe('ada');
    expect(await who(`gastown_session=${unknown}; gastown_session=%E0%A4%A; gastown_session=${ada}`)).toBe('ada');
    expect(await who(`gastown_session=${forge(ada)}`)).toBe(null);
    expect(await who('')).toBe(null);
    // The token returned is the one that verified: it is what goes to the worker.
    expect((await sessionFromCookies(`gastown_session=${forge(ben)}; gastown_session=${ada}`, SESSION_SECRET))?.token).toBe(ada);
  });

  test('tRPC reads two cookies by that rule', async () => {
    const ada = await signSession('ada', SESSION_SECRET);
    const ben = await signSession('ben', SESSION_SECRET);
    const handle = await trpcModules();
    const me = async (cookie: string) => {
      const response = await handle(new Request('http://app.test/api/trpc/me', { headers: { cookie } }));
      return ((await response.json()) as { result: { data: { userId: string } | null } }).result.data?.userId ?? null;
    };
    expect(await me(`gastown_session=${forge(ada)}; gastown_session=${ben}`)).toBe('ben');
    expect(await me(`gastown_session=${ben}; gastown_session=${ada}`)).toBe('ben');
    expect(await me(`gastown_session=${ada}; gastown_session=${forge(ben)}`)).toBe('ada');
  });
});

describe('examples/gastown sign-in cookie', () => {
  async function signIn(url: string, headers: Record<string, string> = {}): Promise<string> {
    process.env.SESSION_SECRET ??= SESSION_SECRET;
    for (const name of ['FLAGSMITH_API_URL', 'FLAGSMITH_ENVIRONMENT_KEY', 'FLAGSMITH_WEBHOOK_SECRET'] as const) process.env[name] ??= env[name];
    process.env.GASTOWN_WORKER_URL ??= 'http://127.0.0.1:9';
    const route = '../../examples/gastown/app/api/session/route';
    const { POST } = (await import(/* @vite-ignore */ route)) as { POST: (request: Request) => Promise<Response> };
    const response = await POST(new Request(url, { method: 'POST', body: new URLSearchParams({ userId: 'cal' }), headers }));
    expect(response.status).toBe(303);
    return response.headers.get('set-cookie') ?? '';
  }

  test('is HttpOnly, SameSite=Lax, and Secure whenever the browser came over https', async () => {
    for (const cookie of [await signIn('https://gastown.example/api/session'), await signIn('http://10.0.0.5:3000/api/session', { 'x-forwarded-proto': 'https' })]) {
      expect(cookie).toMatch(/^gastown_session=v1\./);
      expect(cookie).toMatch(/; HttpOnly/i);
      expect(cookie).toMatch(/; SameSite=lax/i);
      expect(cookie).toMatch(/; Secure/i);
    }
    // The demo on http://127.0.0.1: a Secure cookie would never come back, so it is not marked.
    const local = await signIn('http://127.0.0.1:3000/api/session');
    expect(local).toMatch(/; HttpOnly/i);
    expect(local).not.toMatch(/; Secure/i);
  });
});
