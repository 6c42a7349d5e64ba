import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

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
  return `sha256:${bytesToHex(sha256(utf8ToBytes(canonicalJson(doc))))}`;
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
