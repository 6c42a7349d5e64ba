/**
 * Flagsmith signs each webhook call: `X-Flagsmith-Signature` is the hex HMAC-SHA256 of the raw
 * body, keyed with the webhook's secret. `crypto.subtle.verify` compares in constant time, so a
 * forger learns nothing from how long a rejection takes.
 */

/** Parses a hex signature; null unless it is exactly 32 bytes of hex. */
export function parseHexSignature(value: string): Uint8Array<ArrayBuffer> | null {
  const hex = value.trim().replace(/^sha256=/i, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) return null;
  const bytes = new Uint8Array(new ArrayBuffer(32));
  for (let i = 0; i < 32; i += 1) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** An HMAC-SHA256 key for verifying signatures, imported once per handler. */
export function importHmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
    'sign',
  ]);
}

/** True when `signature` is the HMAC-SHA256 of `body` under `key` (constant-time). */
export function verifySignature(key: CryptoKey, signature: Uint8Array<ArrayBuffer>, body: ArrayBuffer): Promise<boolean> {
  return crypto.subtle.verify('HMAC', key, signature, body);
}

/**
 * The hex signature Flagsmith would send for `body`: for tests and for tools that replay webhooks.
 *
 * @example
 * const signature = await signWebhookBody('my-secret', JSON.stringify(payload));
 * await fetch(url, { method: 'POST', body, headers: { 'X-Flagsmith-Signature': signature } });
 */
export async function signWebhookBody(secret: string, body: string | ArrayBuffer): Promise<string> {
  const key = await importHmacKey(secret);
  const data = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const mac = await crypto.subtle.sign('HMAC', key, data);
  return [...new Uint8Array(mac)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
