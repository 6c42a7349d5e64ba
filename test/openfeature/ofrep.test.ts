import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createFlagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import { staticSource } from '../../runtime/sources/static';
import { ofrep, ofrepServer, ofrepSession } from '../../adapters/openfeature/index';
import { expectOfrep } from './ofrep-schema';
import { documentFor, manifest, switchableSource } from './support';

const KEY = 'ofrep-server-key-0123456789';
const document = documentFor({ gastown: { stage: 'allowlist', users: ['u1'] }, convoys: { stage: 'ga' }, molecules: { stage: 'allowlist', users: ['u1'] } });
const flags = createFlagstage({ manifest, source: staticSource(document), logChanges: false });

// The app's session: bearer session tokens it issued itself.
const SESSIONS: Record<string, Identity> = {
  'sess-u1': { userId: 'u1', orgId: null, isAdmin: false },
  'sess-u2': { userId: 'u2', orgId: null, isAdmin: false },
  'sess-boss': { userId: 'boss', orgId: null, isAdmin: true },
};
type AppEnv = { Variables: { user: Identity | null } };
const sessionApp = new Hono<AppEnv>();
sessionApp.use(async (c, next) => {
  c.set('user', SESSIONS[c.req.header('x-session') ?? ''] ?? null);
  await next();
});
const handler = ofrep<AppEnv>(flags, { identity: (c) => c.var.user });
sessionApp.post('/ofrep/v1/evaluate/flags', handler);
sessionApp.post('/ofrep/v1/evaluate/flags/:key', handler);

const serverKey = ofrepServer(flags, { keys: [KEY] });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(`http://flags.test${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('OFREP, server-key mode', () => {
  it('evaluates one flag with the trusted context; X-API-Key or bearer', async () => {
    const allowed = await expectOfrep('single', await serverKey(post('/ofrep/v1/evaluate/flags/gastown', { context: { targetingKey: 'u1' } }, { 'x-api-key': KEY })));
    expect(allowed).toEqual({ key: 'gastown', value: true, reason: 'TARGETING_MATCH', variant: 'on', metadata: { reason: 'allowlist', stage: 'allowlist', killed: false, revision: expect.any(String) } });
    const denied = await expectOfrep('single', await serverKey(post('/ofrep/v1/evaluate/flags/gastown', { context: { targetingKey: 'u2' } }, { authorization: `Bearer ${KEY}` })));
    expect(denied).toMatchObject({ key: 'gastown', value: false, variant: 'off', metadata: { reason: 'not-enabled' } });
    // The context is trusted: a server may evaluate for an admin.
    const admin = await expectOfrep('single', await serverKey(post('/ofrep/v1/evaluate/flags/multiRig', { context: { targetingKey: 'ops', isAdmin: true } }, { 'x-api-key': KEY })));
    expect(admin).toMatchObject({ value: true, metadata: { reason: 'admin' } });
  });

  it('refuses a missing or wrong key with 401 and nothing else', async () => {
    for (const headers of [{} as Record<string, string>, { 'x-api-key': 'wrong-key-0123456789xx' }, { authorization: `Bearer ${KEY}x` }, { authorization: KEY }]) {
      const response = await serverKey(post('/ofrep/v1/evaluate/flags/gastown', { context: { targetingKey: 'u1' } }, headers));
      expect(response.status).toBe(401);
      await expectOfrep('single', response);
    }
    expect(() => ofrepServer(flags, { keys: ['short'] })).toThrow(/16 or more/);
  });

  it('answers bad requests as OFREP specifies: malformed JSON, no context, missing targetingKey, unknown flag, no key', async () => {
    const auth = { 'x-api-key': KEY };
    expect(await expectOfrep('single', await serverKey(post('/ofrep/v1/evaluate/flags/gastown', '{not json', auth)))).toMatchObject({ key: 'gastown', errorCode: 'PARSE_ERROR' });
    expect(await expectOfrep('single', await serverKey(post('/ofrep/v1/evaluate/flags/gastown', { nope: 1 }, auth)))).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
    expect(await expectOfrep('single', await serverKey(post('/ofrep/v1/evaluate/flags/gastown', { context: { email: 'a@b.c' } }, auth)))).toMatchObject({ errorCode: 'TARGETING_KEY_MISSING' });
    expect(await expectOfrep('single', await serverKey(post('/ofrep/v1/evaluate/flags/gastown', { context: { targetingKey: 'u1', isAdmin: 'yes' } }, auth)))).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
    const missing = await serverKey(post('/ofrep/v1/evaluate/flags/gastwon', { context: { targetingKey: 'u1' } }, auth));
    expect(missing.status).toBe(404);
    expect(await expectOfrep('single', missing)).toMatchObject({ key: 'gastwon', errorCode: 'FLAG_NOT_FOUND' });
    expect(await expectOfrep('single', await serverKey(post('/ofrep/v1/evaluate/flags/', { context: { targetingKey: 'u1' } }, auth)))).toMatchObject({ key: '', errorCode: 'GENERAL' });
    expect(await expectOfrep('bulk', await serverKey(post('/ofrep/v1/evaluate/flags', '[]', auth)))).toMatchObject({ errorCode: 'PARSE_ERROR' });
    expect(await expectOfrep('bulk', await serverKey(post('/ofrep/v1/evaluate/flags', { context: {} }, auth)))).toMatchObject({ errorCode: 'TARGETING_KEY_MISSING' });
  });

  it('bulk: every manifest flag, an ETag, and 304 for If-None-Match until the answers change', async () => {
    const source = switchableSource(document);
    const moving = ofrepServer(createFlagstage({ manifest, source, logChanges: false }), { keys: [KEY] });
    const ask = (headers: Record<string, string> = {}, targetingKey = 'u1') => moving(post('/ofrep/v1/evaluate/flags', { context: { targetingKey } }, { 'x-api-key': KEY, ...headers }));
    const first = await ask();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const body = (await expectOfrep('bulk', first)) as { flags: { key: string; value: boolean }[]; metadata: { revision: string } };
    expect(body.flags.map((flag) => [flag.key, flag.value])).toEqual([['gastown', true], ['convoys', true], ['prMerge', false], ['multiRig', false], ['molecules', true]]);

    const cached = await ask({ 'if-none-match': etag });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(etag);
    await expectOfrep('bulk', cached);
    // Another identity has other answers, so another ETag.
    expect((await ask({ 'if-none-match': etag }, 'u2')).status).toBe(200);
    // A new revision changes the answers: 200 with a new ETag.
    source.put(documentFor({ gastown: { stage: 'ga' } }));
    const changed = await ask({ 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    await expectOfrep('bulk', changed);
  });
});

describe('OFREP, session mode (Hono ofrep() and the fetch handler)', () => {
  const session = (path: string, body: unknown, token?: string, headers: Record<string, string> = {}) =>
    sessionApp.request(post(path, body, { ...(token ? { 'x-session': token } : {}), ...headers }));

  it("takes the identity from the session: a forged isAdmin or targetingKey gets the session's answer", async () => {
    const forged = { context: { targetingKey: 'boss', isAdmin: true } };
    expect(await expectOfrep('single', await session('/ofrep/v1/evaluate/flags/gastown', forged, 'sess-u2'))).toMatchObject({ value: false, metadata: { reason: 'not-enabled' } });
    expect(await expectOfrep('single', await session('/ofrep/v1/evaluate/flags/gastown', { context: { targetingKey: 'u2' } }, 'sess-u1'))).toMatchObject({ value: true, metadata: { reason: 'allowlist' } });
    const bulk = (await expectOfrep('bulk', await session('/ofrep/v1/evaluate/flags', forged, 'sess-u2'))) as { flags: { key: string; value: boolean }[] };
    expect(bulk.flags.filter((flag) => flag.value).map((flag) => flag.key)).toEqual([]);
    // No context at all is fine: the session is the identity.
    expect(await expectOfrep('single', await session('/ofrep/v1/evaluate/flags/multiRig', {}, 'sess-boss'))).toMatchObject({ value: true, metadata: { reason: 'admin' } });
  });

  it('401 without a session; malformed JSON and unknown flags as OFREP specifies; bulk 304', async () => {
    const anonymous = await session('/ofrep/v1/evaluate/flags/gastown', { context: { targetingKey: 'u1', isAdmin: true } });
    expect(anonymous.status).toBe(401);
    await expectOfrep('single', anonymous);
    expect(await expectOfrep('single', await session('/ofrep/v1/evaluate/flags/gastown', '{"context":', 'sess-u1'))).toMatchObject({ errorCode: 'PARSE_ERROR' });
    expect(await expectOfrep('single', await session('/ofrep/v1/evaluate/flags/nope', {}, 'sess-u1'))).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
    const first = await session('/ofrep/v1/evaluate/flags', {}, 'sess-u1');
    const again = await session('/ofrep/v1/evaluate/flags', {}, 'sess-u1', { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  it('the fetch handler (a Next route handler) behaves the same', async () => {
    const handle = ofrepSession(flags, { identity: (request) => SESSIONS[request.headers.get('x-session') ?? ''] ?? null });
    const forged = await handle(post('/ofrep/v1/evaluate/flags/gastown', { context: { targetingKey: 'u1', isAdmin: true } }, { 'x-session': 'sess-u2' }));
    expect(await expectOfrep('single', forged)).toMatchObject({ value: false });
    expect((await handle(post('/ofrep/v1/evaluate/flags/gastown', {}))).status).toBe(401);
    expect((await handle(new Request('http://flags.test/ofrep/v1/evaluate/flags/gastown'))).status).toBe(405);
  });

  it('a failing runtime answers 500 without internals', async () => {
    const broken = { ...flags, decide: () => Promise.reject(new Error('secret internals at line 42')) };
    const response = await ofrepServer(broken, { keys: [KEY] })(post('/ofrep/v1/evaluate/flags/gastown', { context: { targetingKey: 'u1' } }, { 'x-api-key': KEY }));
    expect(response.status).toBe(500);
    const body = await expectOfrep('single', response);
    expect(JSON.stringify(body)).not.toContain('secret');
  });
});
