import { FlagstageError } from '../errors/flagstage-error';
import { revisionInstant } from './revision';
import { importHmacKey, parseHexSignature, verifySignature } from './signature';
import type { DocumentSource, WaitUntil } from './source';
import { readAtMost } from './bounded-body';

export interface FlagsmithWebhookOptions {
  /** The secret configured on the Flagsmith webhook. */
  readonly secret: string;
  /** The source to refresh; it must have `refresh` (`flagsmithSource(...)`'s also updates the shared cache). */
  readonly source: DocumentSource;
  /** The largest body accepted. Default: 1 MiB (Flagsmith's payloads are a few KiB). */
  readonly maxBodyBytes?: number;
  /**
   * How long a verified body is remembered: the same body again within this time (a replay, or a
   * retry of a call already handled) answers `already-refreshed` without touching the origin.
   * Default: 5 minutes.
   */
  readonly replayWindowMs?: number;
  /**
   * When set, a body whose payload carries a timestamp (`data.timestamp`, as Flagsmith sends) more
   * than this far from now is refused (`stale-body`), so a captured call cannot be replayed later.
   * Off by default: it needs clocks in step with Flagsmith's.
   */
  readonly maxAgeMs?: number;
  /** The clock (ms since epoch); injectable for tests. */
  readonly now?: () => number;
}

/** The stable `code` of a webhook answer, for callers and alerts. */
export type WebhookCode =
  | 'refreshed'
  | 'already-refreshed'
  | 'stale-body'
  | 'method-not-allowed'
  | 'payload-too-large'
  | 'missing-signature'
  | 'malformed-signature'
  | 'invalid-signature'
  | 'malformed-body'
  | 'no-document';

/**
 * A framework-free Flagsmith webhook endpoint: `(request) => Promise<Response>`. A call whose
 * `X-Flagsmith-Signature` verifies forces a refresh of the source (and of the shared cache), so a
 * kill-switch applies on the next request; anything else gets 401 and changes nothing. Responses
 * are small JSON objects with a stable `code` and nothing internal.
 *
 * @example
 * const webhook = flagsmithWebhook({ secret: env.FLAGSMITH_WEBHOOK_SECRET, source });
 * app.post('/flagsmith/webhook', (c) => webhook(c.req.raw, c.executionCtx));
 */
export function flagsmithWebhook(
  options: FlagsmithWebhookOptions,
): (request: Request, context?: WaitUntil) => Promise<Response> {
  if (typeof options.secret !== 'string' || options.secret.length === 0) {
    throw new FlagstageError('invalid-option', 'flagsmithWebhook needs the webhook secret configured in Flagsmith (secret was empty).');
  }
  const source = options.source;
  if (typeof source?.refresh !== 'function') {
    throw new FlagstageError('invalid-option', 'flagsmithWebhook needs a source that can refresh, such as flagsmithSource(...).');
  }
  const refresh = source.refresh.bind(source);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const replayWindowMs = options.replayWindowMs ?? 5 * 60_000;
  const maxAgeMs = options.maxAgeMs;
  const now = options.now ?? Date.now;
  let key: Promise<CryptoKey> | null = null;
  /** Signatures of bodies already handled, with when: a replay within the window costs nothing. */
  const handled = new Map<string, number>();
  const remember = (signature: string): void => {
    const at = now();
    for (const [seen, when] of handled) {
      // Oldest first (insertion order): drop what has left the window, and keep the map small.
      if (at - when < replayWindowMs && handled.size < REMEMBERED) break;
      handled.delete(seen);
    }
    handled.set(signature, at);
  };

  return async (request, context) => {
    try {
      if (request.method !== 'POST') return answer(405, 'method-not-allowed', { Allow: 'POST' });
      const declared = Number(request.headers.get('content-length') ?? '0');
      if (declared > maxBodyBytes) return answer(413, 'payload-too-large');
      const header = request.headers.get('x-flagsmith-signature');
      if (header === null || header.trim() === '') return answer(401, 'missing-signature');
      const signature = parseHexSignature(header);
      if (!signature) return answer(401, 'malformed-signature');
      const body = await readAtMost(request, maxBodyBytes);
      if (body === null) return answer(413, 'payload-too-large');
      key ??= importHmacKey(options.secret);
      if (!(await verifySignature(await key, signature, body))) return answer(401, 'invalid-signature');
      const payload = jsonObject(body);
      if (payload === null) return answer(401, 'malformed-body');
      if (maxAgeMs !== undefined) {
        const sent = payloadTime(payload);
        if (sent !== null && Math.abs(now() - sent) > maxAgeMs) return answer(401, 'stale-body');
      }
      const id = hex(signature);
      const seenAt = handled.get(id);
      if (seenAt !== undefined && now() - seenAt < replayWindowMs) {
        const held = await source.current(context);
        return answer(200, 'already-refreshed', {}, { revision: held?.revision ?? null });
      }
      const loaded = await refresh(context);
      if (!loaded) return answer(503, 'no-document');
      // Only a call that refreshed is remembered: a retry after a failure must refresh again.
      remember(id);
      return answer(200, 'refreshed', {}, { revision: loaded.revision });
    } catch {
      // Whatever went wrong stays on the server: the caller learns only that nothing changed.
      return answer(401, 'malformed-body');
    }
  };
}


/** How many handled signatures are remembered at most, whatever the window. */
const REMEMBERED = 1_024;

function jsonObject(body: ArrayBuffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The payload's own time (Flagsmith: `data.timestamp`), in ms since the epoch, or null when it has none. */
function payloadTime(payload: Record<string, unknown>): number | null {
  const data = payload.data;
  const stamp = data !== null && typeof data === 'object' ? (data as Record<string, unknown>).timestamp : payload.timestamp;
  if (typeof stamp !== 'string') return null;
  const instant = revisionInstant(stamp);
  return instant === null ? null : instant[0] * 1000; // its seconds
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function answer(status: number, code: WebhookCode, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ ok: status === 200, code, ...extra }), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  });
}
