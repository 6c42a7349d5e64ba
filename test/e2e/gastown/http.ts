import type { Dispatch, Town } from '../../../examples/gastown/shared/api';

/**
 * Talking to the demo over HTTP as a signed-in user, for checks across the whole population
 * (the browser covers representative users; this covers everyone, quickly).
 */
export interface Session {
  readonly userId: string;
  /** The signed session token (the cookie's value; the worker takes it as a bearer token). */
  readonly token: string;
}

const COOKIE = 'gastown_session';

export async function signIn(appUrl: string, userId: string): Promise<Session> {
  const response = await fetch(`${appUrl}/api/session`, { method: 'POST', body: new URLSearchParams({ userId }), redirect: 'manual' });
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`));
  if (response.status !== 303 || cookie === undefined) throw new Error(`sign-in as ${userId} failed: ${response.status}`);
  const token = decodeURIComponent(cookie.slice(COOKIE.length + 1).split(';')[0] ?? '');
  return { userId, token };
}

const cookieOf = (session: Session) => ({ cookie: `${COOKIE}=${encodeURIComponent(session.token)}` });

/** What one user gets from each layer right now. */
export interface Access {
  /** GET /gastown: 200, or a redirect away (proxy.ts / layout). */
  readonly page: 'in' | 'redirected';
  readonly trpc: number;
  readonly worker: number;
}

export async function accessOf(urls: { appUrl: string; workerUrl: string }, session: Session): Promise<Access> {
  const [page, trpc, worker] = await Promise.all([
    fetch(`${urls.appUrl}/gastown`, { headers: cookieOf(session), redirect: 'manual' }),
    fetch(`${urls.appUrl}/api/trpc/listTowns`, { headers: cookieOf(session) }),
    fetch(`${urls.workerUrl}/api/towns`, { headers: { authorization: `Bearer ${session.token}` } }),
  ]);
  await Promise.all([page.arrayBuffer(), trpc.arrayBuffer(), worker.arrayBuffer()]);
  if (page.status !== 200 && !(page.status >= 300 && page.status < 400)) throw new Error(`GET /gastown as ${session.userId}: ${page.status}`);
  return { page: page.status === 200 ? 'in' : 'redirected', trpc: trpc.status, worker: worker.status };
}

/** Who each surface of the Next app takes a raw Cookie header for (a user id; null: signed out). */
export interface SurfaceIdentities {
  /** GET /: the page's greeting ("Hello, <name>"), or null when it sends to /login. */
  readonly page: string | null;
  /** GET /gastown at admin-only: proxy.ts lets the admin through, refuses anyone else. */
  readonly proxy: 'admin' | 'refused' | 'signed-out';
  /** tRPC listTowns at admin-only: 200 admin, 403 anyone else, 401 signed out. */
  readonly trpc: number;
  /** tRPC me: the user id the procedure's context holds. */
  readonly trpcMe: string | null;
}

export async function surfaceIdentities(appUrl: string, cookie: string, names: ReadonlyMap<string, string>): Promise<SurfaceIdentities> {
  const [home, gastown, listTowns, me] = await Promise.all([
    fetch(`${appUrl}/`, { headers: { cookie }, redirect: 'manual' }),
    fetch(`${appUrl}/gastown`, { headers: { cookie }, redirect: 'manual' }),
    fetch(`${appUrl}/api/trpc/listTowns`, { headers: { cookie } }),
    fetch(`${appUrl}/api/trpc/me`, { headers: { cookie } }),
  ]);
  const greeting = /<h1>Hello, <!-- -->([^<]+)<\/h1>|<h1>Hello, ([^<]+)<\/h1>/.exec(await home.text());
  const name = greeting?.[1] ?? greeting?.[2];
  const location = gastown.headers.get('location') ?? '';
  await Promise.all([gastown.arrayBuffer(), listTowns.arrayBuffer()]);
  const meBody = (await me.json().catch(() => null)) as { result?: { data?: { userId: string } | null } } | null;
  return {
    page: home.status === 200 && name !== undefined ? (names.get(name) ?? `unknown name ${name}`) : null,
    proxy: gastown.status === 200 ? 'admin' : location.includes('/login') ? 'signed-out' : 'refused',
    trpc: listTowns.status,
    trpcMe: meBody?.result?.data?.userId ?? null,
  };
}

/** Calls a tRPC mutation over HTTP (no transformer: the body is the input); returns status and body. */
export async function mutate(appUrl: string, session: Session, procedure: string, input: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${appUrl}/api/trpc/${procedure}`, {
    method: 'POST',
    headers: { ...cookieOf(session), 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: await response.json() };
}

export async function createTown(appUrl: string, session: Session, name: string): Promise<Town> {
  const { status, body } = await mutate(appUrl, session, 'createTown', { name });
  if (status !== 200) throw new Error(`createTown as ${session.userId}: ${status} ${JSON.stringify(body)}`);
  return (body as { result: { data: Town } }).result.data;
}

/** Dispatches a container straight through the worker API, as Gastown's backend would. */
export async function dispatch(workerUrl: string, session: Session, townId: string): Promise<{ status: number; dispatch: Dispatch | null }> {
  const response = await fetch(`${workerUrl}/api/towns/${townId}/containers`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
  const body: unknown = await response.json();
  return { status: response.status, dispatch: response.status === 201 ? (body as Dispatch) : null };
}

/** An agent inside a running container reporting back: it has its grant, not a user session. */
export async function agentCallback(workerUrl: string, containerId: string, grant: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${workerUrl}/api/containers/${containerId}/callbacks`, { method: 'POST', headers: { 'x-flagstage-grant': grant } });
  return { status: response.status, body: await response.json() };
}

/** The document revision a server holds (its health endpoint). */
export async function revisionOf(healthUrl: string): Promise<string | null> {
  const response = await fetch(healthUrl);
  return ((await response.json()) as { revision: string | null }).revision;
}
