// The admin page's test Worker (bundled by test/admin/harness.ts and run in Miniflare on a free
// port): the real control plane with its SQLite Durable Object, bearer tokens of every role for the
// API, admin sessions whose one-time sign-in links the test creates, an ingest key for outcome
// reports (guards), and the admin page mounted.
import { adminPage, createControlPlane, type SignInLink } from '../../control/index';
import { manifest } from '../../flags.gen';

export interface Env {
  readonly FLAGSTAGE_CONTROL: unknown;
  /** JSON: the sign-in links the test created (only their hashes). */
  readonly SIGN_IN_LINKS: string;
  readonly SESSION_SECRET: string;
  /** JSON: the API tokens (name, role, sha256). */
  readonly TOKENS: string;
  /** JSON: Cloudflare Access settings and the team's key set (a JWKS the test made). */
  readonly ACCESS: string;
  /** The ingest key gates report outcomes with (the guard's input). */
  readonly INGEST_KEY: string;
}

const ACCESS_JWKS_URL = 'https://team.cloudflareaccess.test/cdn-cgi/access/certs';

const plane = createControlPlane<Env>({
  manifest,
  environments: (env) => ({ production: { serverKey: 'ser.admin-test-production', ingestKey: env.INGEST_KEY } }),
  auth: (env) => {
    const access = JSON.parse(env.ACCESS) as { audience: string; issuer: string; roles: Record<string, 'viewer' | 'operator' | 'owner'>; jwks: unknown };
    return {
    tokens: JSON.parse(env.TOKENS),
    // The team's key set, served from the test's own JWKS (real signatures, verified by jose).
    access: { jwksUrl: ACCESS_JWKS_URL, audience: access.audience, issuer: access.issuer, roles: access.roles, fetch: async () => Response.json(access.jwks) },
    sessions: { secret: env.SESSION_SECRET, signInLinks: JSON.parse(env.SIGN_IN_LINKS) as SignInLink[] },
    };
  },
});
plane.mount(adminPage());

export const FlagstageControl = plane.DurableObject;
export default { fetch: (request: Request, env: Env) => plane.fetch(request, env) };
