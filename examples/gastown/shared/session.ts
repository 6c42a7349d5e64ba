import type { Identity } from 'flagstage';
import { findUser, type DemoUser } from './users';

/**
 * The demo's sessions: `v1.<payload>.<HMAC-SHA256>`, base64url, signed with a secret only the
 * servers hold. The Next app sets it as an HttpOnly cookie and forwards it to the worker as a bearer
 * token; both verify it and look the user up, so the identity flagstage sees can only come from a
 * session the server signed. Web Crypto only: the same code runs in Node and in workerd.
 */

export const SESSION_COOKIE = 'gastown_session';
const VERSION = 'v1';
const DEFAULT_TTL_SECONDS = 12 * 60 * 60;

interface SessionPayload {
  readonly sub: string;
  readonly exp: number;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null; // a length no byte string has: atob throws, and a forged token must not
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Keys are imported once per secret: signing happens on every request that reads the session.
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  if (secret.length < 32) throw new Error('gastown: SESSION_SECRET must be at least 32 characters');
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

export async function signSession(userId: string, secret: string, ttlSeconds = DEFAULT_TTL_SECONDS): Promise<string> {
  const payload: SessionPayload = { sub: userId, exp: Math.floor(Date.now() / 1000) + ttlSeconds };
  const body = `${VERSION}.${base64url(encoder.encode(JSON.stringify(payload)))}`;
  const signature = await crypto.subtle.sign('HMAC', await keyFor(secret), encoder.encode(body));
  return `${body}.${base64url(new Uint8Array(signature))}`;
}

/** The signed-in user, or null for a missing, forged, expired or unknown session. Never throws. */
export async function verifySession(token: string | null | undefined, secret: string): Promise<DemoUser | null> {
  if (!token) return null;
  const [version, payloadPart, signaturePart, ...rest] = token.split('.');
  if (version !== VERSION || payloadPart === undefined || signaturePart === undefined || rest.length > 0) return null;
  const signature = fromBase64url(signaturePart);
  const payloadBytes = fromBase64url(payloadPart);
  if (signature === null || payloadBytes === null) return null;
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify('HMAC', await keyFor(secret), signature, encoder.encode(`${version}.${payloadPart}`));
  if (!valid) return null;
  const payload = parsePayload(new TextDecoder().decode(payloadBytes));
  if (payload === null || payload.exp <= Math.floor(Date.now() / 1000)) return null;
  return findUser(payload.sub);
}

function parsePayload(json: string): SessionPayload | null {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null) return null;
    const { sub, exp } = value as Record<string, unknown>;
    return typeof sub === 'string' && typeof exp === 'number' ? { sub, exp } : null;
  } catch {
    return null;
  }
}

/** A verified session: the user it names and the token that proved it (forwarded to the worker). */
export interface VerifiedSession {
  readonly user: DemoUser;
  readonly token: string;
}

/** More session cookies than a browser ever sends: the rest are not verified (bounded work). */
const MAX_SESSION_COOKIES = 8;

/**
 * Every value of the session cookie in a `Cookie` header, in the order it was sent. A browser can
 * send the same name twice (a stale cookie under another path or domain beside the fresh one, or
 * one planted by a sibling subdomain); a value that is not valid percent-encoding is skipped.
 */
export function sessionCookieValues(cookieHeader: string | null | undefined): string[] {
  const values: string[] = [];
  for (const part of (cookieHeader ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== SESSION_COOKIE) continue;
    try {
      values.push(decodeURIComponent(part.slice(separator + 1).trim()));
    } catch {
      // Malformed percent-encoding: not a session (signed tokens never contain '%').
    }
  }
  return values;
}

/**
 * The request's session: THE one parser that pages, \`proxy.ts\` and tRPC all use, so that every
 * surface acts for the same user. The rule: the first session cookie in the header that verifies
 * (signature, expiry, known user). Browsers send the cookie with the longest path first and, among
 * equal paths, the oldest first (RFC 6265 5.4); a forged, expired or unknown one is skipped rather
 * than hiding a valid one after it, and it never wins over one.
 *
 * @example
 * ```ts
 * const session = await sessionFromCookies(request.headers.get('cookie'), secret);
 * const identity = session === null ? null : identityOf(session.user);
 * ```
 */
export async function sessionFromCookies(cookieHeader: string | null | undefined, secret: string): Promise<VerifiedSession | null> {
  for (const token of sessionCookieValues(cookieHeader).slice(0, MAX_SESSION_COOKIES)) {
    const user = await verifySession(token, secret);
    if (user !== null) return { user, token };
  }
  return null;
}

/** What flagstage decides about: built from the user record, not from anything the client sent. */
export function identityOf(user: DemoUser): Identity {
  return { userId: user.id, orgId: user.orgId, isAdmin: user.isAdmin };
}
