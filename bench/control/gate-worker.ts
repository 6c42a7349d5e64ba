// A gate Worker for bench/control.ts, run in workerd: flagsmithSource (ttl 5 s) over a service
// binding to the control plane, optionally with the Cache API (`caches.default`) in front, on a
// clock the bench drives (`/run` names the simulated instants), and the signed webhook route.
import { manifest } from '../../flags.gen';
import { createFlagstage, type Flagstage } from '../../runtime/flagstage';
import { cachesApiCache, type CacheLike } from '../../runtime/sources/cache-api';
import { flagsmithSource } from '../../runtime/sources/flagsmith';
import { flagsmithWebhook } from '../../runtime/sources/webhook';

interface Env {
  readonly CONTROL: { fetch(input: string | Request, init?: RequestInit): Promise<Response> };
  readonly ENVIRONMENT_KEY: string;
  readonly WEBHOOK_SECRET: string;
  /** "1": the Cache API in front of the control plane. */
  readonly USE_CACHE: string;
  readonly TTL_MS: string;
}

let simulated = 0;
interface Gate {
  readonly flags: Flagstage;
  readonly webhook: ReturnType<typeof flagsmithWebhook>;
}
let gate: Gate | null = null;
const deliveries: { code: string }[] = [];

function gateFor(env: Env): Gate {
  if (gate) return gate;
  const source = flagsmithSource({
    apiUrl: 'https://control.internal/api/v1/',
    environmentKey: env.ENVIRONMENT_KEY,
    ttlMs: Number(env.TTL_MS),
    maxStaleMs: 3_600_000,
    timeoutMs: 5_000,
    fetch: (url: string, init?: RequestInit) => env.CONTROL.fetch(url, init),
    ...(env.USE_CACHE === '1' ? { cache: cachesApiCache((caches as unknown as { default: CacheLike }).default) } : {}),
    now: () => simulated,
  });
  gate = { flags: createFlagstage({ manifest, source, logChanges: false }), webhook: flagsmithWebhook({ secret: env.WEBHOOK_SECRET, source }) };
  return gate;
}

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    const url = new URL(request.url);
    const { flags, webhook } = gateFor(env);
    if (url.pathname === '/run') {
      // Decisions at the simulated instants start, start + step, …; each one's waitUntil work (a
      // background refresh) settles before the next instant, as it would between requests.
      const { start, step, count, offset } = (await request.json()) as { start: number; step: number; count: number; offset: number };
      const pending: Promise<unknown>[] = [];
      const context = { waitUntil: (promise: Promise<unknown>) => void pending.push(promise) };
      let allowed = 0;
      const reasons: Record<string, number> = {};
      for (let i = 0; i < count; i += 1) {
        simulated = start + i * step;
        const n = offset + i;
        const decision = await flags.decide('gastown', { userId: `user-${n % 997}`, orgId: `org-${n % 31}`, isAdmin: false }, context);
        if (decision.allowed) allowed += 1;
        const why = `${decision.reason}@${decision.revision}`;
        reasons[why] = (reasons[why] ?? 0) + 1;
        if (pending.length > 0) await Promise.all(pending.splice(0));
      }
      return Response.json({ allowed, reasons });
    }
    if (url.pathname === '/flagsmith/webhook') {
      const pending: Promise<unknown>[] = [];
      const response = await webhook(request, { waitUntil: (promise: Promise<unknown>) => void pending.push(promise) });
      await Promise.all(pending);
      deliveries.push({ code: ((await response.clone().json()) as { code: string }).code });
      return response;
    }
    if (url.pathname === '/deliveries') {
      // How many webhooks were handled (refresh included). Polled: workerd cancels a request that
      // waits on another request's promise as hung.
      return Response.json({ count: deliveries.length, last: deliveries.at(-1)?.code });
    }
    void ctx;
    return new Response('not found', { status: 404 });
  },
};
