// jose's narrow subpaths, not its root: `base64url` from the root is a namespace object that every
// Worker bundle would carry.
import * as base64url from 'jose/base64url';
import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose/decode/protected_header';
import { compactVerify } from 'jose/jws/compact/verify';
import { secretBytes } from './secret';
import { GRANT_PURPOSE, GRANT_TYP, type Grant, type GrantRefusal, type GrantVerification, type VerifyGrantOptions } from './types';

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** An HS256 signature is 32 bytes: 43 base64url characters without padding. */
const SIGNATURE_CHARS = 43;

const fail = (error: GrantRefusal): { readonly ok: false; readonly error: GrantRefusal } => ({ ok: false, error });

/**
 * Verifies a grant token. Bad tokens never throw: they come back as `{ ok: false, error }`:
 * - `malformed`: not a compact JWS, truncated, no kid, or claims of the wrong shape;
 * - `bad-signature`: not HS256 (including `alg: none`), or the signature does not match;
 * - `unknown-kid`: signed with a key id not in `secrets`;
 * - `wrong-purpose`: a valid token minted for something else (other `typ` or `purpose`);
 * - `expired`: past its `exp`.
 * The claims are trusted only after the signature checks out, so a forged token can only ever
 * produce `malformed`, `bad-signature` or `unknown-kid`. A weak configured secret throws.
 *
 * @example
 * ```ts
 * const result = await verifyGrant(token, { secrets: { '2025-07': env.GRANT_SECRET, '2025-01': env.OLD_SECRET } });
 * if (result.ok && result.grant.flags.includes('gastown')) serveCallback();
 * ```
 */
export async function verifyGrant<K extends string = string>(token: unknown, options: VerifyGrantOptions): Promise<GrantVerification<K>> {
  if (typeof token !== 'string') return fail('malformed');
  const parts = token.split('.');
  if (parts.length !== 3) return fail('malformed');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (!SEGMENT.test(headerPart) || !SEGMENT.test(payloadPart)) return fail('malformed');

  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return fail('malformed');
  }
  // Only HS256 is ever issued; `none` or an asymmetric alg is an attempt to skip or swap the check.
  if (header.alg !== 'HS256') return fail('bad-signature');
  if (!isCanonicalSignature(signaturePart)) return fail('malformed');
  if (typeof header.kid !== 'string' || header.kid.length === 0) return fail('malformed');
  if (!Object.prototype.hasOwnProperty.call(options.secrets, header.kid)) return fail('unknown-kid');
  const secret = options.secrets[header.kid];
  if (secret === undefined) return fail('unknown-kid');
  const key = secretBytes(secret, header.kid);

  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(token, key, { algorithms: ['HS256'] }));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return fail(code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad-signature' : 'malformed');
  }

  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(payloadBytes));
  } catch {
    return fail('malformed');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return fail('malformed');
  const c = claims as Record<string, unknown>;
  if (header.typ !== GRANT_TYP || c.purpose !== GRANT_PURPOSE) return fail('wrong-purpose');

  const { sub, org, flags, iat, exp, revision } = c;
  if (
    typeof sub !== 'string' ||
    sub.length === 0 ||
    !(org === null || typeof org === 'string') ||
    !Array.isArray(flags) ||
    !flags.every((flag): flag is string => typeof flag === 'string') ||
    !Number.isSafeInteger(iat) ||
    !Number.isSafeInteger(exp) ||
    (exp as number) < (iat as number) ||
    !(revision === null || typeof revision === 'string')
  ) {
    return fail('malformed');
  }
  const now = (options.now ?? Date.now)() / 1000;
  if ((exp as number) + (options.clockToleranceSeconds ?? 0) <= now) return fail('expired');

  const grant: Grant<K> = {
    sub,
    org,
    flags: Object.freeze([...flags]) as readonly K[],
    iat: iat as number,
    exp: exp as number,
    revision,
    kid: header.kid,
  };
  return { ok: true, grant: Object.freeze(grant) };
}

/**
 * Whether a verified grant names a flag.
 *
 * @example
 * ```ts
 * if (result.ok && grantAllows(result.grant, 'gastown')) return next();
 * ```
 */
export function grantAllows<K extends string>(grant: Grant<K>, flag: K): boolean {
  return grant.flags.includes(flag);
}

/**
 * Base64url leaves 2 unused bits in the last character of a 32-byte value, so 4 spellings decode to
 * the same signature. Accepting only the canonical one makes a token's text unforgeable too (a
 * mutated token is never accepted), not just its bytes.
 */
function isCanonicalSignature(segment: string): boolean {
  if (segment.length !== SIGNATURE_CHARS || !SEGMENT.test(segment)) return false;
  try {
    return base64url.encode(base64url.decode(segment)) === segment;
  } catch {
    return false;
  }
}
