// The SHA-256 class itself, as runtime/engine/revision.ts uses it (no Node built-in: this runs in a
// Durable Object too).
import { _SHA256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

/**
 * A UUID derived from a seed, so that writing a document stays a pure function: the same document
 * and change always produce the same JSON.
 *
 * @example
 * ```ts
 * stableUuid('env-key/featurestate/3'); // '6f1c…-…' (always the same for that seed)
 * ```
 */
export function stableUuid(seed: string): string {
  const hex = Array.from(new _SHA256().update(encoder.encode(seed)).digest(), (byte) => byte.toString(16).padStart(2, '0')).join('');
  // Shaped as a version-4, RFC 4122 variant UUID so validators that check the format accept it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
