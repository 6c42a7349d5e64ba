// The SHA-256 class itself rather than noble's `sha256` wrapper and its utils.js helpers: the
// wrapper's generic option checks are dead weight in every Worker bundle.
import { _SHA256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

/**
 * A document's revision: its `updated_at` when it has one, else a digest of its content (keys
 * sorted, so the same document always gives the same revision however it was serialised).
 *
 * @example
 * ```ts
 * documentRevision({ updated_at: '2026-01-02T03:04:05Z' }); // '2026-01-02T03:04:05Z'
 * documentRevision({ api_key: 'k' });                      // 'sha256:…'
 * ```
 */
export function documentRevision(doc: Readonly<Record<string, unknown>>): string {
  if (typeof doc.updated_at === 'string' && doc.updated_at !== '') return doc.updated_at;
  const digest = new _SHA256().update(encoder.encode(canonicalJson(doc))).digest();
  return `sha256:${Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
