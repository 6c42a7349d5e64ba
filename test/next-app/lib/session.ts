// The app's own session: a cookie `session=<userId>.<hmac>` it signed itself. The identity comes
// from a verified cookie, never from a value the client can set. Web Crypto only, so the same code
// runs in the Node proxy and the edge middleware.
import type { Identity } from 'flagstage';

const SECRET = 'next-app-test-session-secret-0123456789';

export const USERS: Readonly<Record<string, Identity>> = {
  'u-admin': { userId: 'u-admin', orgId: 'o-staff', isAdmin: true },
  'u-alice': { userId: 'u-alice', orgId: 'o-acme', isAdmin: false },
  'u-bob': { userId: 'u-bob', orgId: 'o-other', isAdmin: false },
};

const encoder = new TextEncoder();
let key: Promise<CryptoKey> | undefined;

async function mac(userId: string): Promise<string> {
  key ??= crypto.subtle.importKey('raw', encoder.encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', await key, encoder.encode(userId)));
  return btoa(String.fromCharCode(...signature)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The cookie value the app sets at sign-in. */
export async function signSession(userId: string): Promise<string> {
  return `${userId}.${await mac(userId)}`;
}

/** The identity of a verified session cookie, or null. */
export async function verifySession(value: string | undefined): Promise<Identity | null> {
  if (!value) return null;
  const dot = value.lastIndexOf('.');
  const userId = value.slice(0, dot);
  if (dot < 1 || (await mac(userId)) !== value.slice(dot + 1)) return null;
  return USERS[userId] ?? null;
}
