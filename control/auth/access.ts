import { createRemoteJWKSet, customFetch } from 'jose/jwks/remote';
import { jwtVerify } from 'jose/jwt/verify';
import type { Role } from './roles';

/** Cloudflare Access in front of the control plane's Worker. */
export interface AccessOptions {
  /** The team's JWKS: `https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`. */
  readonly jwksUrl: string;
  /** The Access application's audience (AUD) tag. */
  readonly audience: string;
  /** The expected issuer, `https://<team>.cloudflareaccess.com`; checked when given. */
  readonly issuer?: string;
  /** Role per email (lower-cased); anyone else gets `defaultRole`. */
  readonly roles?: Readonly<Record<string, Role>>;
  /** The role of an Access identity not in `roles`. Default `viewer`. */
  readonly defaultRole?: Role;
  /** How to fetch the JWKS; default the global `fetch` (a service binding's `fetch`, or a test's local server). */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

const jwksByOptions = new WeakMap<AccessOptions, ReturnType<typeof createRemoteJWKSet>>();
const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Verifies a `Cf-Access-Jwt-Assertion` (signature against the team's keys, audience, issuer, expiry)
 * and returns the identity's email, or null for anything that does not verify.
 *
 * @example
 * ```ts
 * const email = await verifyAccessAssertion(request.headers.get('cf-access-jwt-assertion'), options);
 * ```
 */
export async function verifyAccessAssertion(assertion: string, options: AccessOptions): Promise<string | null> {
  // One key set per URL (its cache is the point), or per options object when it brings its own fetch.
  let jwks = options.fetch ? jwksByOptions.get(options) : jwksByUrl.get(options.jwksUrl);
  if (!jwks) {
    jwks = options.fetch ? createRemoteJWKSet(new URL(options.jwksUrl), { [customFetch]: options.fetch }) : createRemoteJWKSet(new URL(options.jwksUrl));
    if (options.fetch) jwksByOptions.set(options, jwks);
    else jwksByUrl.set(options.jwksUrl, jwks);
  }
  try {
    const { payload } = await jwtVerify(assertion, jwks, {
      audience: options.audience,
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      algorithms: ['RS256', 'ES256'],
    });
    const email = typeof payload.email === 'string' ? payload.email : null;
    return email === null || email === '' ? null : email;
  } catch {
    return null;
  }
}

/**
 * The role of a verified Access identity.
 *
 * @example
 * ```ts
 * accessRole({ jwksUrl, audience, roles: { 'ops@example.com': 'owner' } }, 'ops@example.com'); // 'owner'
 * ```
 */
export function accessRole(options: AccessOptions, email: string): Role {
  const roles = options.roles ?? {};
  const lower = email.toLowerCase();
  for (const [key, role] of Object.entries(roles)) if (key.toLowerCase() === lower) return role;
  return options.defaultRole ?? 'viewer';
}
