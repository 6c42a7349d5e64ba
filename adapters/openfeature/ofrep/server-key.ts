import type { Flagstage } from '../../../runtime/flagstage';
import type { WaitUntil } from '../../../runtime/sources/source';
import { answerOfrep, INTERNAL_ERROR, ofrepRoute, toResponse } from './protocol';

export interface OfrepServerOptions {
  /**
   * The server keys allowed to evaluate, as `X-API-Key: <key>` or `Authorization: Bearer <key>`.
   * Whoever holds one is trusted with any context (any targetingKey, isAdmin): give them only to
   * servers, as for any server SDK key. Compared in constant time.
   */
  readonly keys: readonly string[];
}

/**
 * OFREP in server-key mode, as a fetch handler: `POST …/ofrep/v1/evaluate/flags/{key}` and the
 * bulk `POST …/ofrep/v1/evaluate/flags` (ETag, `If-None-Match` → 304). The request's `context` is
 * the identity (`targetingKey`, `orgId`, `isAdmin`), trusted because the caller holds a server key.
 * Without a valid key: 401 and nothing else. For the control plane or any Worker; never mount it
 * where a browser can reach it with a key.
 *
 * @example
 * ```ts
 * const ofrep = ofrepServer(flags, { keys: [env.OFREP_SERVER_KEY] });
 * export default { fetch: (request, env, ctx) => ofrep(request, ctx) };
 * ```
 */
export function ofrepServer(flags: Flagstage, options: OfrepServerOptions): (request: Request, context?: WaitUntil) => Promise<Response> {
  const keys = options?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((key) => typeof key !== 'string' || key.length < 16)) {
    throw new TypeError('flagstage: ofrepServer(flags, { keys }) needs at least one server key of 16 or more characters');
  }
  const digests = Promise.all(keys.map(digestOf));
  return async function ofrepServer(request, context) {
    try {
      const route = ofrepRoute(new URL(request.url).pathname);
      if (route === null) return toResponse({ status: 404 });
      if (request.method !== 'POST') return toResponse({ status: 405, headers: { allow: 'POST' } });
      if (!(await authorized(request, await digests))) return toResponse({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
      return toResponse(await answerOfrep(flags, route, await request.text(), { trust: 'context' }, request.headers.get('if-none-match'), context));
    } catch {
      return toResponse(INTERNAL_ERROR);
    }
  };
}

async function authorized(request: Request, digests: readonly Uint8Array[]): Promise<boolean> {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const presented = request.headers.get('x-api-key') ?? bearer;
  if (!presented) return false;
  const digest = await digestOf(presented.trim());
  let found = false;
  // Every key is compared in full, whatever matched: the time says nothing about which or how much.
  for (const known of digests) found = equal(digest, known) || found;
  return found;
}

async function digestOf(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}
