// Every refusal of the admin API: bad input answers 400 naming the field and the fix; missing,
// forged or expired credentials 401; a role that does not allow the change 403. In every case the
// document, its revision and the audit log stay exactly as they were, and no body carries a stack.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, env, type ApiAnswer } from './support';
import { ACCESS, testControls, TOKENS } from './worker';

const ENV = 'production';

async function snapshot() {
  const status = await api('GET', env(ENV, '/status'), { token: TOKENS.viewer });
  const audit = await api('GET', env(ENV, '/audit?limit=1000'), { token: TOKENS.viewer });
  const document = await api('GET', env(ENV, '/document'), { token: TOKENS.viewer });
  return { revision: status.body.revision, audit: audit.body.entries.length, document: JSON.stringify(document.body.document) };
}

async function expectRefused(answer: ApiAnswer, status: number, field: string | null, before: Awaited<ReturnType<typeof snapshot>>) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(typeof answer.body.message).toBe('string');
  if (status === 400) {
    expect(answer.body.error).toBe('bad-request');
    expect(answer.body.field).toBe(field);
    expect(typeof answer.body.fix).toBe('string');
  }
  expect(JSON.stringify(answer.body)).not.toMatch(/\n\s+at |\.ts:\d+|Error:/);
  expect(await snapshot()).toEqual(before);
}

const change = (path: string, options: Parameters<typeof api>[2]) => api('POST', env(ENV, path), { token: TOKENS.operator, ...options });

describe('bad input: 400, the field and the fix, nothing changed', () => {
  const cases: [string, () => Promise<ApiAnswer>, string][] = [
    ['unknown flag', () => change('/flags/gastwon/stage', { body: { stage: 'ga', reason: 'r' } }), 'flag'],
    ['unknown stage', () => change('/flags/gastown/stage', { body: { stage: 'beta', reason: 'r' } }), 'stage'],
    ['percent below 0', () => change('/flags/gastown/percent', { body: { value: -1, reason: 'r' } }), 'value'],
    ['percent above 100', () => change('/flags/gastown/percent', { body: { value: 100.5, reason: 'r' } }), 'value'],
    ['percent not a number', () => change('/flags/gastown/percent', { body: { value: '50', reason: 'r' } }), 'value'],
    ['an empty ID', () => change('/flags/gastown/allow', { body: { users: [''], reason: 'r' } }), 'users.0'],
    ['an ID over 1,000 characters', () => change('/flags/gastown/allow', { body: { users: ['u'.repeat(1001)], reason: 'r' } }), 'users.0'],
    ['an ID with a comma', () => change('/flags/gastown/allow', { body: { orgs: ['acme,globex'], reason: 'r' } }), 'orgs.0'],
    ['an ID that parses as a JSON array', () => change('/flags/gastown/allow', { body: { users: ['ok', '["a","b"]'], reason: 'r' } }), 'users.1'],
    ['no IDs at all', () => change('/flags/gastown/allow', { body: { reason: 'r' } }), 'users'],
    ['a missing reason', () => change('/flags/gastown/kill', { body: {} }), 'reason'],
    ['a blank reason', () => change('/flags/gastown/kill', { body: { reason: '   ' } }), 'reason'],
    ['an unknown field', () => change('/flags/gastown/kill', { body: { reason: 'r', actor: 'someone-else' } }), 'body'],
    ['a body over the size limit', () => change('/flags/gastown/allow', { body: { users: Array.from({ length: 9000 }, (_, i) => `user-${i}`), reason: 'r' } }), 'body'],
    ['malformed JSON', () => change('/flags/gastown/stage', { rawBody: '{"stage": "ga", "reason": ' }), 'body'],
    ['a JSON array body', () => change('/flags/gastown/stage', { rawBody: '["ga"]' }), 'body'],
    ['not JSON at all', () => change('/flags/gastown/stage', { rawBody: 'stage=ga', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 'body'],
    ['a malformed If-Match', () => change('/flags/gastown/stage', { body: { stage: 'ga', reason: 'r' }, headers: { 'if-match': 'yesterday' } }), 'If-Match'],
    ['a sub-flag raised while its parent is admin-only', () => change('/flags/convoys/stage', { body: { stage: 'ga', reason: 'r' } }), 'stage'],
    ['killing a sub-flag without its own kill-switch', () => change('/flags/convoys/kill', { body: { reason: 'r' } }), 'flag'],
    ['stage percentage without a split', () => change('/flags/prMerge/stage', { body: { stage: 'percentage', reason: 'r' } }), 'stage'],
    ['rollback to a revision that does not exist', () => api('POST', env(ENV, '/rollback'), { token: TOKENS.owner, body: { revision: 99_999, reason: 'r' } }), 'revision'],
    ['a cursor the API never gave', () => api('GET', env(ENV, '/audit?cursor=abc'), { token: TOKENS.viewer }), 'cursor'],
    ['explain without identities', () => api('POST', env(ENV, '/flags/gastown/explain'), { token: TOKENS.viewer, body: { identities: [] } }), 'identities'],
  ];
  for (const [name, run, field] of cases) {
    it(name, async () => {
      const before = await snapshot();
      await expectRefused(await run(), 400, field, before);
    });
  }
});

describe('authentication and roles: 401 and 403, nothing changed', () => {
  let sign: (claims: Record<string, unknown>, options?: { audience?: string; expiresIn?: string | number; issuer?: string }) => Promise<string>;
  let forger: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    const team = await generateKeyPair('RS256', { extractable: true });
    forger = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(team.publicKey);
    testControls.jwks = { keys: [{ ...jwk, kid: 'team-key', alg: 'RS256', use: 'sig' }] };
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'team-key' })
        .setAudience(options.audience ?? ACCESS.audience)
        .setIssuer(options.issuer ?? ACCESS.issuer)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(team.privateKey);
  });

  const body = { stage: 'allowlist', reason: 'should not happen' };

  it('no credentials: 401', async () => {
    const before = await snapshot();
    await expectRefused(await api('POST', env(ENV, '/flags/gastown/stage'), { token: null, body }), 401, null, before);
    await expectRefused(await api('GET', env(ENV, '/status'), { token: null }), 401, null, before);
  });

  it('a forged or malformed bearer token: 401', async () => {
    const before = await snapshot();
    await expectRefused(await change('/flags/gastown/stage', { token: 'fst_test-owneR', body }), 401, null, before);
    await expectRefused(await change('/flags/gastown/stage', { token: '', body, headers: { authorization: 'Basic b3duZXI6b3duZXI=' } }), 401, null, before);
  });

  it('a viewer changing state: 403; an operator rolling back: 403', async () => {
    const before = await snapshot();
    await expectRefused(await change('/flags/gastown/stage', { token: TOKENS.viewer, body }), 403, null, before);
    await expectRefused(await change('/flags/gastown/kill', { token: TOKENS.viewer, body: { reason: 'r' } }), 403, null, before);
    await expectRefused(await api('POST', env(ENV, '/rollback'), { token: TOKENS.operator, body: { revision: 1, reason: 'r' } }), 403, null, before);
  });

  it('Cloudflare Access: a verified assertion acts as its email with its role; forged, expired or wrong-audience ones get 401', async () => {
    const before = await snapshot();
    const headers = (assertion: string) => ({ 'cf-access-jwt-assertion': assertion });
    const forged = await new SignJWT({ email: 'owner@example.com' }).setProtectedHeader({ alg: 'RS256', kid: 'team-key' }).setAudience(ACCESS.audience).setIssuer(ACCESS.issuer).setExpirationTime('5m').sign(forger.privateKey);
    await expectRefused(await change('/flags/gastown/stage', { token: null, headers: headers(forged), body }), 401, null, before);
    const expired = await sign({ email: 'owner@example.com' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    await expectRefused(await change('/flags/gastown/stage', { token: null, headers: headers(expired), body }), 401, null, before);
    const otherApp = await sign({ email: 'owner@example.com' }, { audience: 'another-application' });
    await expectRefused(await change('/flags/gastown/stage', { token: null, headers: headers(otherApp), body }), 401, null, before);
    await expectRefused(await change('/flags/gastown/stage', { token: null, headers: headers('not.a.jwt'), body }), 401, null, before);
    const viewer = await sign({ email: 'someone@example.com' });
    await expectRefused(await change('/flags/gastown/stage', { token: null, headers: headers(viewer), body }), 403, null, before);

    const ops = await sign({ email: 'ops@example.com' });
    const changed = await change('/flags/molecules/allow', { token: null, headers: headers(ops), body: { users: ['via-access'], reason: 'access works' } });
    expect(changed.status).toBe(200);
    expect(changed.body.audit).toMatchObject({ actor: 'ops@example.com', reason: 'access works', command: 'allow' });
    expect(testControls.jwksFetches).toBeGreaterThanOrEqual(1);
  });

  it('an unknown environment: 404', async () => {
    const answer = await api('GET', '/v1/environments/nowhere/status', { token: TOKENS.owner });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: 'not-found', field: 'environment' });
  });
});
