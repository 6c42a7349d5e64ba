// Runs the admin test Worker (test/admin/worker.ts) in Miniflare, i.e. workerd with the control
// plane's SQLite Durable Object, on a free port, and creates sign-in links and API tokens for it.
import { build } from 'esbuild';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Miniflare } from 'miniflare';
import { createSignInLink } from '../../control/admin/session';
import { generateToken, hashToken } from '../../control/auth/tokens';
import type { Role } from '../../control/auth/roles';
import { generateIngestKey } from '../../control/guard/ingest-key';

const root = new URL('../..', import.meta.url).pathname;

export interface AdminServer {
  readonly origin: string;
  /** One-time sign-in URLs, by actor. */
  readonly signIn: Readonly<Record<string, string>>;
  /** API bearer tokens, by role. */
  readonly tokens: Readonly<Record<Role, string>>;
  /** A Cloudflare Access assertion for an email, signed with the team key the control plane trusts. */
  accessAssertion(email: string): Promise<string>;
  /** Calls the admin API of `production` with a role's token. */
  api(role: Role, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** Reports outcomes to `production` through the real ingest route, with the ingest key (or another credential). */
  ingest(body: unknown, credential?: string): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** Starts the control plane with the admin page; `people` get one sign-in link each. */
export async function startAdminServer(people: readonly { readonly actor: string; readonly role: Role }[]): Promise<AdminServer> {
  const bundle = await build({
    entryPoints: [`${root}test/admin/worker.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'source', 'browser'],
    mainFields: ['module', 'main'],
    target: 'es2022',
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const links = await Promise.all(people.map(async (person) => ({ person, ...(await createSignInLink({ actor: person.actor, role: person.role, ttlMs: 3_600_000 })) })));
  const tokens = { viewer: generateToken(), operator: generateToken(), owner: generateToken() } as Record<Role, string>;
  const tokenRecords = await Promise.all((Object.entries(tokens) as [Role, string][]).map(async ([role, token]) => ({ name: `test-${role}`, role, sha256: await hashToken(token) })));
  const secret = generateToken();
  const ingestKey = generateIngestKey();
  const access = { audience: 'admin-test-aud', issuer: 'https://team.cloudflareaccess.test', roles: { 'ops@example.com': 'operator' } };
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'team-key', alg: 'ES256', use: 'sig' }] };
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.js', contents: bundle.outputFiles[0]!.text }],
    compatibilityDate: '2026-04-01',
    compatibilityFlags: [],
    durableObjects: { FLAGSTAGE_CONTROL: { className: 'FlagstageControl', useSQLite: true } },
    bindings: { SIGN_IN_LINKS: JSON.stringify(links.map((entry) => entry.link)), SESSION_SECRET: secret, TOKENS: JSON.stringify(tokenRecords), ACCESS: JSON.stringify({ ...access, jwks }), INGEST_KEY: ingestKey },
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  const origin = url.origin;
  return {
    origin,
    signIn: Object.fromEntries(links.map((entry) => [entry.person.actor, `${origin}/admin/sign-in?code=${entry.code}`])),
    tokens,
    accessAssertion: (email) =>
      new SignJWT({ email })
        .setProtectedHeader({ alg: 'ES256', kid: 'team-key' })
        .setAudience(access.audience)
        .setIssuer(access.issuer)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
    async api(role, method, path, body) {
      const response = await fetch(`${origin}/v1/environments/production${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: await response.json() };
    },
    async ingest(body, credential = ingestKey) {
      const response = await fetch(`${origin}/v1/environments/production/outcomes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    },
    close: () => mf.dispose(),
  };
}
