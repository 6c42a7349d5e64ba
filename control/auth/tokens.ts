import type { Role } from './roles';

/** A bearer token as configured: its name (the audit actor is `token:<name>`), role and SHA-256. */
export interface TokenRecord {
  readonly name: string;
  readonly role: Role;
  /** Hex SHA-256 of the token (`await hashToken(token)`); the token itself is never configured. */
  readonly sha256: string;
}

/**
 * The hex SHA-256 of a token, as `TokenRecord.sha256` wants it.
 *
 * @example
 * ```ts
 * const sha256 = await hashToken('fst_…'); // put { name: 'ci', role: 'operator', sha256 } in a secret
 * ```
 */
export async function hashToken(token: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
}

/**
 * A new random token (`fst_` + 32 random bytes, base64url).
 *
 * @example
 * ```ts
 * const token = generateToken(); // give it to the person, configure hashToken(token)
 * ```
 */
export function generateToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return `fst_${btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/**
 * The record whose hash matches the presented token, or null. Every configured hash is compared in
 * full whatever matched before (no early exit), so timing says nothing about which bytes were right.
 *
 * @example
 * ```ts
 * const record = await matchToken(tokens, bearer);
 * ```
 */
export async function matchToken(tokens: readonly TokenRecord[], presented: string): Promise<TokenRecord | null> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(presented)));
  let found: TokenRecord | null = null;
  for (const record of tokens) {
    const expected = fromHex(record.sha256);
    let difference = expected.length === digest.length ? 0 : 1;
    for (let i = 0; i < digest.length; i += 1) difference |= (digest[i] ?? 0) ^ (expected[i] ?? 0);
    if (difference === 0 && found === null) found = record;
  }
  return found;
}

/**
 * Checks configured tokens at start-up: a malformed hash or role fails loudly, not as a 401 later.
 *
 * @example
 * ```ts
 * checkTokens([{ name: 'ci', role: 'operator', sha256: '…64 hex…' }]);
 * ```
 */
export function checkTokens(tokens: readonly TokenRecord[]): void {
  for (const record of tokens) {
    if (typeof record.name !== 'string' || record.name.length === 0) throw new Error('flagstage: control plane token without a name; give each token a name (the audit actor is token:<name>)');
    if (!/^[0-9a-f]{64}$/i.test(record.sha256 ?? '')) throw new Error(`flagstage: control plane token "${record.name}": sha256 must be 64 hex characters (await hashToken(token)), not the token itself`);
    if (!['viewer', 'operator', 'owner'].includes(record.role)) throw new Error(`flagstage: control plane token "${record.name}": role must be viewer, operator or owner`);
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function fromHex(text: string): Uint8Array {
  const clean = /^[0-9a-f]*$/i.test(text) && text.length % 2 === 0 ? text : '';
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
