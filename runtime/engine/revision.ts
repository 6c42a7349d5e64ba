// The SHA-256 class itself rather than noble's `sha256` wrapper and its utils.js helpers. Only the
// synchronous `compileEnvironment` (flagstage/engine) uses it; the sources digest with WebCrypto
// (`digestRevision`), so the gates' bundle carries no SHA-256 of its own.
import { _SHA256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

/**
 * A document's revision: its `updated_at` when it has one, else a digest of its content (keys
 * sorted, so the same document always gives the same revision however it was serialised).
 * Synchronous, for `compileEnvironment`; `digestRevision` is the same value through WebCrypto.
 *
 * @example
 * ```ts
 * documentRevision({ updated_at: '2026-01-02T03:04:05Z' }); // '2026-01-02T03:04:05Z'
 * documentRevision({ api_key: 'k' });                      // 'sha256:…'
 * ```
 */
export function documentRevision(doc: Readonly<Record<string, unknown>>): string {
  return statedRevision(doc) ?? `sha256:${hex(new _SHA256().update(encoder.encode(canonicalJson(doc))).digest())}`;
}

/**
 * `documentRevision`, computed with WebCrypto (`crypto.subtle`, in workerd, browsers and Node >= 20)
 * instead of a bundled SHA-256: what the sources use, since they load documents asynchronously anyway.
 *
 * @example
 * ```ts
 * await digestRevision({ api_key: 'k' }) === documentRevision({ api_key: 'k' }); // true
 * ```
 */
export async function digestRevision(doc: Readonly<Record<string, unknown>>): Promise<string> {
  return statedRevision(doc) ?? `sha256:${await sha256Hex(canonicalJson(doc))}`;
}

/**
 * The SHA-256 of a text's UTF-8, in hex, through WebCrypto: the one digest the sources take (a
 * content revision, a change under an unchanged revision, the shared cache's environment id).
 *
 * @example
 * ```ts
 * await sha256Hex('abc'); // 'ba7816bf…'
 * ```
 */
export async function sha256Hex(text: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))));
}

/** A document's own revision: its `updated_at` when that is a non-empty string, else null. */
export function statedRevision(doc: Readonly<Record<string, unknown>>): string | null {
  return typeof doc.updated_at === 'string' && doc.updated_at !== '' ? doc.updated_at : null;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => (byte | 256).toString(16).slice(1)).join('');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
