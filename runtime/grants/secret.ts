import { GrantError } from './errors';
import type { GrantSecret } from './types';

/** HS256 needs a key at least as long as its output (RFC 7518 §3.2): 32 bytes. */
export const MIN_SECRET_BYTES = 32;

const encoder = new TextEncoder();

/**
 * Turns a configured secret into key bytes, refusing weak ones. A short secret is a configuration
 * error, so it throws rather than producing a grant anyone could forge by brute force.
 *
 * @example
 * ```ts
 * const key = secretBytes(env.GRANT_SECRET, 'current'); // throws when shorter than 32 bytes
 * ```
 */
export function secretBytes(secret: GrantSecret, kid: string): Uint8Array {
  const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
  if (!(bytes instanceof Uint8Array)) {
    throw new GrantError(`the grant secret for kid "${kid}" must be a string or a Uint8Array`);
  }
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new GrantError(
      `the grant secret for kid "${kid}" is ${bytes.byteLength} bytes; HS256 needs at least ${MIN_SECRET_BYTES} (e.g. 32 random bytes, base64-encoded)`,
    );
  }
  return bytes;
}
