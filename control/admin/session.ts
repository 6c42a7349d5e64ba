import type { Role } from '../auth/roles';

/**
 * Admin page sessions. A session is a credential the control plane signs itself (HMAC-SHA256 with
 * `sessions.secret`): `fsa_<payload>.<mac>`, naming the actor, the role and an expiry. The browser
 * keeps it in an HttpOnly, SameSite=Strict cookie; the page forwards it to the admin API as a bearer
 * credential, so the API checks the role and records the actor exactly as for any token. CSRF tokens
 * are derived from the same secret and the session (or the Access identity), so a form can only be
 * replayed by whoever rendered it.
 */

/** A one-time sign-in link's record: only the SHA-256 of its code is configured. */
export interface SignInLink {
  /** Hex SHA-256 of the code in the link (`createSignInLink` returns both). */
  readonly sha256: string;
  /** The actor recorded in the audit log for changes made in this session. */
  readonly actor: string;
  readonly role: Role;
  /** When the link stops working (ms since epoch); default: never, until used once. */
  readonly expiresAt?: number;
}

/** What signs sessions and CSRF tokens; set as `auth.sessions` of `createControlPlane`. */
export interface SessionOptions {
  /** At least 32 characters; keep it in a secret (`wrangler secret put`). */
  readonly secret: string;
  /** One-time sign-in links (what `flagstage serve` prints). */
  readonly signInLinks?: readonly SignInLink[];
  /** How long a session lasts. Default 12 hours. */
  readonly maxAgeMs?: number;
}

/** A verified session. */
export interface Session {
  readonly actor: string;
  readonly role: Role;
  readonly expiresAt: number;
  /** Random per sign-in; CSRF tokens are bound to it. */
  readonly nonce: string;
}

export const SESSION_PREFIX = 'fsa_';
const DEFAULT_MAX_AGE_MS = 12 * 60 * 60 * 1000;
const ROLES: readonly Role[] = ['viewer', 'operator', 'owner'];

/**
 * Checks session options at start-up, so a short secret fails loudly rather than signing weakly.
 *
 * @example
 * ```ts
 * checkSessionOptions({ secret: env.ADMIN_SESSION_SECRET });
 * ```
 */
export function checkSessionOptions(options: SessionOptions): void {
  if (typeof options.secret !== 'string' || options.secret.length < 32) {
    throw new Error('flagstage: auth.sessions.secret must be at least 32 characters (a random secret: wrangler secret put ADMIN_SESSION_SECRET)');
  }
  for (const link of options.signInLinks ?? []) {
    if (!/^[0-9a-f]{64}$/i.test(link.sha256 ?? '')) throw new Error('flagstage: auth.sessions.signInLinks: sha256 must be 64 hex characters (createSignInLink returns it)');
    if (!ROLES.includes(link.role)) throw new Error(`flagstage: auth.sessions.signInLinks: role must be viewer, operator or owner, not "${String(link.role)}"`);
    if (typeof link.actor !== 'string' || link.actor.trim() === '') throw new Error('flagstage: auth.sessions.signInLinks: each link needs an actor (recorded in the audit log)');
  }
}

/**
 * A new one-time sign-in link: give `code` to the person (in `/admin/sign-in?code=…`), configure
 * `link` in `auth.sessions.signInLinks`.
 *
 * @example
 * ```ts
 * const { code, link } = await createSignInLink({ actor: 'local:alice', role: 'owner' });
 * console.log(`${url}/admin/sign-in?code=${code}`);
 * ```
 */
export async function createSignInLink(options: { readonly actor: string; readonly role: Role; readonly ttlMs?: number; readonly now?: number }): Promise<{ readonly code: string; readonly link: SignInLink }> {
  const code = `fsl_${base64url(crypto.getRandomValues(new Uint8Array(24)))}`;
  const link: SignInLink = {
    sha256: await sha256Hex(code),
    actor: options.actor,
    role: options.role,
    ...(options.ttlMs === undefined ? {} : { expiresAt: (options.now ?? Date.now()) + options.ttlMs }),
  };
  return { code, link };
}

// One use per link: the codes used in this isolate. Links are for `flagstage serve` (one isolate);
// a deployed control plane signs people in through Cloudflare Access.
const usedLinks = new Set<string>();

/**
 * Exchanges a sign-in code for a new session, once. Null when the code is unknown, used or expired.
 *
 * @example
 * ```ts
 * const credential = await redeemSignInCode(options, code, Date.now());
 * ```
 */
export async function redeemSignInCode(options: SessionOptions, code: string, now: number): Promise<string | null> {
  const presented = await sha256Hex(code);
  let found: SignInLink | null = null;
  for (const link of options.signInLinks ?? []) {
    // Compare every configured hash in full: timing says nothing about which one (if any) matched.
    if (constantTimeEqual(link.sha256.toLowerCase(), presented) && found === null) found = link;
  }
  if (found === null || usedLinks.has(found.sha256.toLowerCase())) return null;
  if (found.expiresAt !== undefined && now > found.expiresAt) return null;
  usedLinks.add(found.sha256.toLowerCase());
  return signSession(options, { actor: found.actor, role: found.role, expiresAt: now + (options.maxAgeMs ?? DEFAULT_MAX_AGE_MS), nonce: base64url(crypto.getRandomValues(new Uint8Array(16))) });
}

/**
 * Signs a session into its credential (`fsa_…`).
 *
 * @example
 * ```ts
 * const credential = await signSession(options, { actor: 'local:alice', role: 'owner', expiresAt, nonce });
 * ```
 */
export async function signSession(options: SessionOptions, session: Session): Promise<string> {
  const payload = base64url(new TextEncoder().encode(JSON.stringify({ a: session.actor, r: session.role, e: session.expiresAt, n: session.nonce })));
  const mac = await hmac(options.secret, `session\n${payload}`);
  return `${SESSION_PREFIX}${payload}.${base64url(mac)}`;
}

/**
 * The session a credential carries, or null when it is malformed, forged or expired.
 *
 * @example
 * ```ts
 * const session = await verifySession(options, cookieValue, Date.now());
 * ```
 */
export async function verifySession(options: SessionOptions, credential: string, now: number): Promise<Session | null> {
  if (!credential.startsWith(SESSION_PREFIX) || credential.length > 4096) return null;
  const [payload, mac, extra] = credential.slice(SESSION_PREFIX.length).split('.');
  if (!payload || !mac || extra !== undefined) return null;
  const macBytes = fromBase64url(mac);
  if (macBytes === null || !(await hmacVerify(options.secret, `session\n${payload}`, macBytes))) return null;
  const bytes = fromBase64url(payload);
  if (bytes === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  const { a, r, e, n } = (parsed ?? {}) as { a?: unknown; r?: unknown; e?: unknown; n?: unknown };
  if (typeof a !== 'string' || typeof e !== 'number' || typeof n !== 'string' || !ROLES.includes(r as Role)) return null;
  if (now >= e) return null;
  return { actor: a, role: r as Role, expiresAt: e, nonce: n };
}

/**
 * The CSRF token of a subject (a session's nonce, or an Access identity): every form carries it.
 *
 * @example
 * ```ts
 * const token = await csrfToken(options, `session:${session.nonce}`);
 * ```
 */
export async function csrfToken(options: SessionOptions, subject: string): Promise<string> {
  return base64url(await hmac(options.secret, `csrf\n${subject}`));
}

/**
 * Whether `presented` is the subject's CSRF token (compared in constant time by WebCrypto).
 *
 * @example
 * ```ts
 * if (!(await verifyCsrfToken(options, subject, form.csrf))) return refuse();
 * ```
 */
export async function verifyCsrfToken(options: SessionOptions, subject: string, presented: string): Promise<boolean> {
  const bytes = presented === '' ? null : fromBase64url(presented);
  if (bytes === null) return false;
  return hmacVerify(options.secret, `csrf\n${subject}`, bytes);
}

const keys = new Map<string, Promise<CryptoKey>>();
function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

async function hmac(secret: string, data: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await keyFor(secret), new TextEncoder().encode(data)));
}

async function hmacVerify(secret: string, data: string, mac: Uint8Array<ArrayBuffer>): Promise<boolean> {
  return crypto.subtle.verify('HMAC', await keyFor(secret), mac, new TextEncoder().encode(data));
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length === b.length ? 0 : 1;
  for (let i = 0; i < b.length; i += 1) difference |= (a.charCodeAt(i) || 0) ^ b.charCodeAt(i);
  return difference === 0;
}

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}
