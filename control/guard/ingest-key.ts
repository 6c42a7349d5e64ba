/**
 * The ingest key of an environment (`EnvironmentConfig.ingestKey`): the only credential of
 * `POST …/outcomes`, and good for nothing else. It lives in every gate that reports outcomes, so it
 * must not open anything: admin tokens are checked elsewhere, by hash, and never equal it; the
 * document endpoint takes server keys only. A leaked ingest key can at worst feed a guard false
 * outcomes (which can kill a flag, never revive one), so it is still a secret.
 */

/** Every ingest key starts with this, so one is never mistaken for a server key (`ser.`) or a token (`fst_`). */
export const INGEST_KEY_PREFIX = 'ing.';

/**
 * Checks an environment's configured ingest key at start-up: a missing prefix, a short key or the
 * server key reused fails loudly, naming the fix.
 *
 * @example
 * ```ts
 * checkIngestKey('production', { serverKey: env.SERVER_KEY, ingestKey: env.INGEST_KEY });
 * ```
 */
export function checkIngestKey(environment: string, config: { readonly serverKey: string; readonly ingestKey?: string | undefined }): void {
  const key = config.ingestKey;
  if (key === undefined) return;
  if (typeof key !== 'string' || !key.startsWith(INGEST_KEY_PREFIX) || key.length < 20) {
    throw new Error(`flagstage: control plane environment "${environment}": ingestKey must start with "${INGEST_KEY_PREFIX}" and be at least 20 characters (generateIngestKey() makes one; keep it in a secret)`);
  }
  if (key === config.serverKey) throw new Error(`flagstage: control plane environment "${environment}": ingestKey must differ from serverKey (an ingest key can only report outcomes)`);
}

/**
 * Whether `presented` is the ingest key: both are hashed and every byte compared, so the time taken
 * says nothing about how much of it was right.
 *
 * @example
 * ```ts
 * if (!(await ingestKeyMatches(config.ingestKey, bearer))) return unauthorized();
 * ```
 */
export async function ingestKeyMatches(expected: string | undefined, presented: string): Promise<boolean> {
  if (expected === undefined || expected === '') return false;
  const [a, b] = await Promise.all([digest(expected), digest(presented)]);
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/**
 * A new random ingest key (`ing.` + 32 random bytes, base64url).
 *
 * @example
 * ```ts
 * const ingestKey = generateIngestKey(); // wrangler secret put PRODUCTION_INGEST_KEY
 * ```
 */
export function generateIngestKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return `${INGEST_KEY_PREFIX}${btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}
